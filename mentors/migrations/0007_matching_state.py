from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("mentors", "MatchingState").objects.get_or_create(
        pk=1, defaults={"mentor_data_version": 1}
    )


class Migration(migrations.Migration):
    dependencies = [("mentors", "0006_matching")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
