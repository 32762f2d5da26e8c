"""The reviewers' search reads one upper-cased column, with one trigram index.

``Registration.search_text`` holds the searched fields, written by the
database with each row. On PostgreSQL its trigram index takes the place of
migration 0016's five, one per field: a word is then found with one index,
and a word of one or two characters, which no trigram index serves, by
comparing one stored value a row rather than upper-casing five.
"""

from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Concat, Upper

# Migration 0016's indexes, one per searched field.
FIELD_INDEXES = ["family_name", "given_name", "name_ja", "email", "organisation_other"]
INDEX = "registration_search_text_trgm"


def index_search_text(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    table = quote(apps.get_model("registrations", "Registration")._meta.db_table)
    for field in FIELD_INDEXES:
        schema_editor.execute(
            f"DROP INDEX IF EXISTS {quote(f'registration_{field}_trgm')}"
        )
    schema_editor.execute(
        f"CREATE INDEX {quote(INDEX)} ON {table}"
        f" USING gin ({quote('search_text')} gin_trgm_ops)"
    )


def index_fields(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    table = quote(apps.get_model("registrations", "Registration")._meta.db_table)
    schema_editor.execute(f"DROP INDEX IF EXISTS {quote(INDEX)}")
    for field in FIELD_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX {quote(f'registration_{field}_trgm')}"
            f" ON {table} USING gin (UPPER({quote(field)}::text) gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0020_session_id_list"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=Upper(
                    Concat(
                        F("family_name"),
                        Value("\n"),
                        F("given_name"),
                        Value("\n"),
                        F("name_ja"),
                        Value("\n"),
                        F("email"),
                        Value("\n"),
                        F("organisation_other"),
                        output_field=models.TextField(),
                    )
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.RunPython(index_search_text, index_fields),
    ]
