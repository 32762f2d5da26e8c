"""Indexes for the reviewers' session filter at 100,000 registrations.

Its counts per status read a session's choices and the registrations'
statuses from indexes alone: the choices by session and registration, and on
PostgreSQL the statuses by id (an ``INCLUDE`` index, which SQLite has not; its
table is kept in the order of the ids already). The new index of the choices
finds a session's choices, and the unique constraint's index a
registration's, so the two foreign keys' own indexes go.

They are dropped by the names the database gives them rather than by
altering the foreign keys, which would drop and re-create both constraints,
checking every row under a lock on the tables the registration form writes.
"""

from django.db import migrations, models

# The foreign keys' own indexes, by their columns.
SINGLE_COLUMNS = (["registration_id"], ["session_id"])


def drop_single_column_indexes(apps, schema_editor):
    connection = schema_editor.connection
    table = apps.get_model("registrations", "RegistrationSession")._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    for name, found in constraints.items():
        plain = found["index"] and not found["unique"] and not found["primary_key"]
        if plain and found["columns"] in SINGLE_COLUMNS:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def add_single_column_indexes(apps, schema_editor):
    table = apps.get_model("registrations", "RegistrationSession")._meta.db_table
    quote = schema_editor.quote_name
    for [column] in SINGLE_COLUMNS:
        name = quote(f"registrationsession_{column}")
        schema_editor.execute(f"CREATE INDEX {name} ON {quote(table)} ({column})")


def add_status_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("registrations", "Registration")._meta.db_table
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX {quote('registration_status_of_id')} ON {quote(table)}"
        " (id) INCLUDE (status)"
    )


def remove_status_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"DROP INDEX IF EXISTS {schema_editor.quote_name('registration_status_of_id')}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0018_participants_list_and_messages"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="registrationsession",
            index=models.Index(
                fields=["session", "registration"], name="session_choice_by_session"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="registrationsession",
                    name="registration",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="session_choices",
                        to="registrations.registration",
                        verbose_name="registration",
                    ),
                ),
                migrations.AlterField(
                    model_name="registrationsession",
                    name="session",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="choices",
                        to="registrations.session",
                        verbose_name="session",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(
                    drop_single_column_indexes, add_single_column_indexes
                ),
            ],
        ),
        migrations.RunPython(add_status_index, remove_status_index),
    ]
