"""The profile's skills (``search_skills``, "code:level") kept in its row,
as migration 0021 kept the search vector and its terms: every directory page
reads them (each card's skills, the skill filters in each row read, the
ranking of the skills a word means).

A profile row is ~2 KB; with the default storage (EXTENDED), PostgreSQL moves
its largest values to the TOAST table, and once the bio is out, the skills
next: in the 20,000 mentors' bench, those of 3,997 profiles (20 %), nearly
every profile of a window (the heaviest ones, with the most skills). Each read
of them cost a look-up of the TOAST table's index and heap (the window's
ranking of "messagerie numériques" read 789 buffers, 489 with the skills in
the rows). Storage MAIN keeps a column in its row unless nothing else can
leave it (the bio and the draft go out first).

Existing rows are written again so that their skills come back in (``||
'{}'`` makes a new value; the same value would keep its TOAST pointer). Their
terms, weight and listing do not change: the postings' triggers do not run.
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE mentors_mentorprofile ALTER COLUMN search_skills SET STORAGE MAIN",
    "UPDATE mentors_mentorprofile SET search_skills = search_skills || '{}'::text[]"
    " WHERE cardinality(search_skills) > 0",
]
BACKWARD = [
    "ALTER TABLE mentors_mentorprofile ALTER COLUMN search_skills SET STORAGE EXTENDED"
]


class Migration(migrations.Migration):
    # Each statement in its own transaction, as in 0021: SET STORAGE takes the
    # table's exclusive lock for an instant, the rewrite only row locks.
    atomic = False

    dependencies = [
        ("mentors", "0025_search_postings_row_triggers"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
