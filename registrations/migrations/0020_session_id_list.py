"""The ids of each registration's sessions in one row: a view the exports join.

``STRING_AGG`` on PostgreSQL, ``GROUP_CONCAT`` on SQLite; the ids come in no
particular order, and the attendee lists put the titles in programme order.
"""

from django.db import migrations, models

VIEW = "registrations_session_id_list"
CHOICES = "registrations_registrationsession"
JOINED = {
    "postgresql": "STRING_AGG(session_id::text, ',')",
    "sqlite": "GROUP_CONCAT(session_id, ',')",
}


def create_view(apps, schema_editor):
    quote = schema_editor.quote_name
    joined = JOINED[schema_editor.connection.vendor]
    schema_editor.execute(
        f"CREATE VIEW {quote(VIEW)} AS SELECT registration_id, {joined} AS ids"
        f" FROM {quote(CHOICES)} GROUP BY registration_id"
    )


def drop_view(apps, schema_editor):
    schema_editor.execute(f"DROP VIEW IF EXISTS {schema_editor.quote_name(VIEW)}")


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0019_session_filter_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SessionIdList",
            fields=[
                (
                    "registration",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=models.DO_NOTHING,
                        primary_key=True,
                        related_name="session_id_list",
                        serialize=False,
                        to="registrations.registration",
                    ),
                ),
                ("ids", models.TextField()),
            ],
            options={"db_table": VIEW, "managed": False},
        ),
        migrations.RunPython(create_view, drop_view),
    ]
