"""Ethnicity becomes one of the 54 official groups (issue 8): existing free text is matched by name
(any common spelling, with or without diacritics) and stored under the official name. Values that
match no group are KEPT as written and reported here and by ``manage.py ethnicity_report``."""

from django.db import migrations


def forwards(apps, schema_editor):
    from hongheo.registry.ethnicity import canonical_or_none

    Member = apps.get_model("registry", "Member")
    unknown = {}
    values = Member.objects.exclude(ethnicity="").values_list("ethnicity", flat=True).distinct()
    for value in list(values):
        official = canonical_or_none(value)
        if official is None:
            unknown[value] = Member.objects.filter(ethnicity=value).count()
        elif official != value:
            Member.objects.filter(ethnicity=value).update(ethnicity=official)
    if unknown:
        listed = ", ".join(f"{v!r} ({n})" for v, n in sorted(unknown.items()))
        print(f"\n  Dân tộc không khớp danh mục 54 dân tộc, giữ nguyên: {listed}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_factrecord")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
