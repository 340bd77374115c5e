from django.db import migrations


def load(apps, schema_editor):
    from certification.observed_tasks import load_observed_tasks

    load_observed_tasks(apps)
    rules = apps.get_model("certification", "EligibilityRules")
    if not rules.objects.exists():
        rules.objects.create()


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial"), ("mentors", "0002_taxonomy")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
