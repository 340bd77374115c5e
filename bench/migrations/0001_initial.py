from django.db import migrations, models

from bench.fortunes import FORTUNES


def load_fortunes(apps, schema_editor):
    Fortune = apps.get_model("bench", "Fortune")
    Fortune.objects.bulk_create(
        [Fortune(id=pk, message=message) for pk, message in FORTUNES]
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Fortune",
            fields=[
                ("id", models.IntegerField(primary_key=True, serialize=False)),
                ("message", models.CharField(max_length=2048)),
            ],
        ),
        migrations.RunPython(load_fortunes, migrations.RunPython.noop),
    ]
