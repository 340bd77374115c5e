"""The GIN index of the directory's filters (``search_facets``, 0030), over
every row, built without locking the profile table against writes. A
concurrent build that fails leaves an invalid index behind: drop it (``DROP
INDEX CONCURRENTLY mentors_profile_facets_idx``) before running this
migration again."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("mentors", "0030_search_facets"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="mentorprofile",
            index=GinIndex(fields=["search_facets"], name="mentors_profile_facets_idx"),
        ),
    ]
