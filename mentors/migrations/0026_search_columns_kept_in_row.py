"""The search columns that every directory page reads kept in the profile's
row (storage MAIN): the skills (``search_skills``: each card's skills, the
filters, the ranking of skills meant), the document (``search_vector``: the
ranking of the window) and its terms (``search_terms``: checked in each row a
window reads past the weight index).

With the default storage (EXTENDED), a row over ~2 KB (a long bio) has its
largest values moved to the TOAST table, the skills among them once the bio
is out: in the 20,000 mentors' bench, 20 % of the profiles, and nearly every
profile of a window (the heaviest ones, with the most skills). Each of those
read then costs a look-up in the TOAST table's index and its heap (three more
buffers: the window's ranking of "messagerie numériques" read 789 buffers,
489 once the skills were in the rows). MAIN compresses a value in the row,
and moves it out only when nothing else can go (the bio goes first).

A storage change applies to the rows written after it: those whose values
are out of the row are written again (a value concatenated with nothing is a
new one, which the new storage places). PostgreSQL 17 tells which those are
(``pg_column_toast_chunk_id``); before it, every profile with skills is.
Neither the terms nor the weight change: the postings' triggers do not run.
"""

from django.db import migrations

COLUMNS = ("search_skills", "search_vector", "search_terms")


def _storage(value: str) -> str:
    return "ALTER TABLE mentors_mentorprofile " + ", ".join(
        f"ALTER COLUMN {column} SET STORAGE {value}" for column in COLUMNS
    )


def _rewrite(apps, schema_editor):
    connection = schema_editor.connection
    if connection.pg_version >= 170000:
        outside = (
            "pg_column_toast_chunk_id(search_skills) IS NOT NULL"
            " OR pg_column_toast_chunk_id(search_vector) IS NOT NULL"
            " OR pg_column_toast_chunk_id(search_terms) IS NOT NULL"
        )
    else:
        outside = "cardinality(search_skills) > 0 OR search_vector IS NOT NULL"
    # search_terms is generated from search_vector: written again with it.
    schema_editor.execute(
        "UPDATE mentors_mentorprofile"
        " SET search_skills = search_skills || '{}'::text[],"
        " search_vector = search_vector || ''::tsvector"
        f" WHERE {outside}"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mentors", "0025_search_postings_row_triggers"),
    ]

    operations = [
        migrations.RunSQL(_storage("MAIN"), _storage("EXTENDED")),
        migrations.RunPython(_rewrite, migrations.RunPython.noop),
    ]
