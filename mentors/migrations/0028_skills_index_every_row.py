"""The skills' index over every profile row, not only the listed ones.

PostgreSQL's planner combines two bitmap index scans (BitmapAnd) only when
their conditions do not overlap, and a partial index's predicate counts
among them (``choose_bitmap_and``: the second is taken for redundant). The
words' index and the skills' index both held the listed rows' predicate, so
a search of words with a skill filter read every holder of the words to
check the skill in its row ("qualité développement api" with the product
management skill, 20,000 bench mentors: 1,382 rows read, none kept, 3.5 ms;
with this index, the two bitmaps ANDed and no row read, 1.1 ms). The rows
not listed add ~15 % of entries. The new one built, then the old one dropped,
without locking the table against writes. A concurrent build that fails leaves
an invalid index behind: drop it (``DROP INDEX CONCURRENTLY
mentors_profile_skills_all_idx``) before running the migration again."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import (
    AddIndexConcurrently,
    RemoveIndexConcurrently,
)
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("mentors", "0027_region_weight_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="mentorprofile",
            index=GinIndex(
                fields=["search_skills"], name="mentors_profile_skills_all_idx"
            ),
        ),
        RemoveIndexConcurrently(
            model_name="mentorprofile", name="mentors_profile_skills_idx"
        ),
    ]
