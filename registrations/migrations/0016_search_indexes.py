"""Indexes for the reviewers' list at 100,000 registrations.

The waiting order gains the id (the places are numbered from the index
alone), the counts per status get an index of their own, and on PostgreSQL
the search's ``icontains`` (``UPPER(column) LIKE``) gets trigram indexes
(``pg_trgm``). SQLite keeps searching by scanning, as before.
"""

from django.conf import settings
from django.db import migrations, models

# The registration's own fields that the search looks in
# (selectors.REGISTRATION_SEARCH_FIELDS; the organisation's are on its table).
TRIGRAM_FIELDS = ["family_name", "given_name", "name_ja", "email", "organisation_other"]


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Django's TrigramExtension does this, but queries PostgreSQL's catalogue
    # on any database when migrating back; the extension stays when migrating
    # back, as other indexes may use it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    table = schema_editor.quote_name(
        apps.get_model("registrations", "Registration")._meta.db_table
    )
    for field in TRIGRAM_FIELDS:
        # Written out: the expression with its operator class needs
        # django.contrib.postgres installed to be spelled by Index().
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(f'registration_{field}_trgm')}"
            f" ON {table} USING gin (UPPER({schema_editor.quote_name(field)}::text)"
            " gin_trgm_ops)"
        )


def remove_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for field in TRIGRAM_FIELDS:
        name = schema_editor.quote_name(f"registration_{field}_trgm")
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0015_check_ins"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="registration",
            name="registration_waiting_order",
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                fields=["event", "status", "status_changed_at", "id"],
                name="registration_waiting_order",
            ),
        ),
        migrations.AddIndex(
            model_name="registration",
            index=models.Index(
                fields=["status", "submitted_at"], name="registration_status_submitted"
            ),
        ),
        migrations.RunPython(add_trigram_indexes, remove_trigram_indexes),
    ]
