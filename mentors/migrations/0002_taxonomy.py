from django.db import migrations


def load(apps, schema_editor):
    from mentors.taxonomy_loader import load_taxonomy

    load_taxonomy(apps)


class Migration(migrations.Migration):
    dependencies = [("mentors", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
