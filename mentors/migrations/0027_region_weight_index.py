"""The listed profiles of a region by weight (``mentors.directory``: the
ranking window's walk of a search in one region), built without locking the
profile table against writes."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("mentors", "0026_search_columns_kept_in_row"),
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
                fields=["region", "-search_weight", "-approved_at", "-id"],
                include=(
                    "search_terms",
                    "languages",
                    "modes",
                    "free_slots_7d",
                    "free_slots_14d",
                    "search_skills",
                ),
                name="mentors_profile_reg_weight_idx",
            ),
        ),
    ]
