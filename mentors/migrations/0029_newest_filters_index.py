"""The listed profiles newest first, with what the directory's filters read
(``mentors.directory``: a page of filters alone, newest first, walks it alone
until it has its candidates), built without locking the profile table
against writes. A concurrent build that fails leaves an invalid index
behind: drop it (``DROP INDEX CONCURRENTLY mentors_profile_newest_idx``)
before running the migration again."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("mentors", "0028_skills_index_every_row"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="mentorprofile",
            index=models.Index(
                condition=models.Q(
                    ("approved_at__isnull", False),
                    ("hidden_by_staff_at__isnull", True),
                    ("is_published", True),
                ),
                fields=["-approved_at", "-id"],
                include=(
                    "region",
                    "languages",
                    "modes",
                    "free_slots_7d",
                    "free_slots_14d",
                    "search_skills",
                ),
                name="mentors_profile_newest_idx",
            ),
        ),
    ]
