"""A small index on ``HouseholdClassification.classified_at``.

Reports ask "was any result of this area computed after the report date?" (then they must look back
to the result in force on that date). Without an index that question scans every result of the
province. On PostgreSQL a BRIN index answers it from a few block ranges (results are appended in time
order) and costs almost nothing when a province run writes hundreds of thousands of rows; SQLite has
no BRIN, so it gets an ordinary index. The index lives outside the model's Meta (Django has no
portable BRIN), so ``makemigrations`` does not see it.
"""

from django.db import migrations

NAME = "standards_hc_classified_at_brin"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    table = "standards_householdclassification"
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} USING brin (classified_at)")
    else:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} (classified_at)")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("standards", "0004_classification_source_db_default")]

    operations = [migrations.RunPython(forwards, backwards)]
