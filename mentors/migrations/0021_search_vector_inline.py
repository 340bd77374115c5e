"""The directory ranks the window's 200 profiles by their search vector. A
profile row is ~2 KB, over PostgreSQL's TOAST threshold, and the vector was
the column PostgreSQL moved out of the row first (it compresses badly): 12,371
of 20,000 bench profiles, so ranking a window read ~600 TOAST buffers and took
~2.1 ms of the database's time, ~1.4 ms with the vectors in their rows.

Storage MAIN keeps a column in its row unless nothing else can leave it: the
long texts (bio, draft) go out of the row instead, and they are only read on
a profile's own page. Existing rows are written again so that their vectors
come back in (``|| ''::tsvector`` makes a new value; the same value would keep
its TOAST pointer); ``search_terms`` is computed again from the same vector.
"""

from django.db import migrations

COLUMNS = ("search_vector", "search_terms")

FORWARD = [
    *(
        f"ALTER TABLE mentors_mentorprofile ALTER COLUMN {column} SET STORAGE MAIN"
        for column in COLUMNS
    ),
    "UPDATE mentors_mentorprofile SET search_vector = search_vector || ''::tsvector"
    " WHERE search_vector IS NOT NULL",
]
BACKWARD = [
    f"ALTER TABLE mentors_mentorprofile ALTER COLUMN {column} SET STORAGE EXTENDED"
    for column in COLUMNS
]


class Migration(migrations.Migration):
    # Each statement in its own transaction: SET STORAGE takes the table's
    # exclusive lock for an instant, the rewrite of the rows only row locks
    # (in one transaction with it, reads waited for the whole rewrite).
    atomic = False

    dependencies = [("mentors", "0020_profile_autovacuum")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
