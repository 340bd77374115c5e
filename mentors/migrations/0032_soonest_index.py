"""The directory's "soonest" order as one index (the next free slot, then the
id, descending), in place of the index on the slot alone: a page sorted by
the next free slot walks it and stops after its rows, where the profiles that
share a slot time (thousands: slots fall on round hours) were read and sorted
whole first. Built without locking the profile table against writes; a
concurrent build that fails leaves an invalid index behind: drop it (``DROP
INDEX CONCURRENTLY mentors_profile_soonest_idx``) before running this
migration again. So does a failure of the old index's removal after the new
one was built (a lock timeout): the new index is valid then, but the
migration is not recorded, and running it again fails on it."""

from django.contrib.postgres.operations import (
    AddIndexConcurrently,
    RemoveIndexConcurrently,
)
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("mentors", "0031_search_facets_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="mentorprofile",
            index=models.Index(
                fields=["next_free_slot_at", "-id"], name="mentors_profile_soonest_idx"
            ),
        ),
        RemoveIndexConcurrently(
            model_name="mentorprofile",
            name="mentors_profile_next_slot_idx",
        ),
    ]
