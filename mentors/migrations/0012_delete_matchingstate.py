"""The mentor-data version is a sequence now (0011): its row and model go, with
the model's content type (and so its permissions), so nothing is left stale."""

from django.db import migrations


def forget_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="mentors", model="matchingstate").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mentors", "0011_mentor_data_version_sequence"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.DeleteModel(
            name="MatchingState",
        ),
        # Recreated by post_migrate if the migration is ever reversed.
        migrations.RunPython(forget_content_type, migrations.RunPython.noop),
    ]
