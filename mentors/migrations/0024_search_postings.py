"""The search postings (``SearchPosting``): each listed profile's stems in the
directory's window order, kept by triggers on the profile table.

Three statement-level triggers (one per event: a trigger with transition
tables has one event) run one function, which takes back the postings of the
rows that were listed with terms before the statement and writes those of the
rows listed with terms after it; an update that changes neither whether a row
is listed, nor its terms, weight or approval (a slot summary, a pause) writes
nothing. Set-based: a refresh of 20,000 profiles is one DELETE and one INSERT.
"""

from django.db import migrations, models

# Listed: the directory's rule for a profile row (``mentors.directory._LISTED``),
# with terms (those too long for the weight index are NULL and read apart).
LISTED = (
    "{0}.approved_at IS NOT NULL AND {0}.is_published"
    " AND {0}.hidden_by_staff_at IS NULL AND {0}.search_terms IS NOT NULL"
)

# What a row holds in the postings: the key of each of its stems.
_POSTINGS_OF = """
SELECT s.stem, {0}.search_weight, {0}.approved_at, {0}.id
FROM {1} {0}, unnest(tsvector_to_array({0}.search_terms)) AS s(stem)
WHERE {2}
"""
# An updated row whose postings stay: listed with the same terms, weight and
# approval before and after.
_SAME = """
EXISTS (SELECT 1 FROM {other} t
        WHERE t.id = {row}.id AND {listed}
          AND (t.search_terms, t.search_weight, t.approved_at)
              = ({row}.search_terms, {row}.search_weight, {row}.approved_at))
"""


def _postings_of(row: str, table: str, unchanged_in: str = "") -> str:
    condition = LISTED.format(row)
    if unchanged_in:
        same = _SAME.format(other=unchanged_in, row=row, listed=LISTED.format("t"))
        condition += f" AND NOT {same}"
    return _POSTINGS_OF.format(row, table, condition)


def _take_back(rows: str) -> str:
    return (
        "DELETE FROM mentors_searchposting x"  # noqa: S608 (our constants only)
        f" USING ({rows}) AS gone (stem, weight, approved_at, id)"
        " WHERE x.stem = gone.stem AND x.weight = gone.weight"
        " AND x.approved_at = gone.approved_at AND x.profile_id = gone.id;"
    )


def _write(rows: str) -> str:
    return f"""
        INSERT INTO mentors_searchposting (stem, weight, approved_at, profile_id)
        {rows};"""


# Each statement is planned when it first runs: a branch never reads the
# transition table its event does not have.
KEEP_FUNCTION = f"""
CREATE FUNCTION mentors_search_postings_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_write(_postings_of("n", "new_rows"))}
    ELSIF TG_OP = 'DELETE' THEN
        {_take_back(_postings_of("o", "old_rows"))}
    ELSE
        {_take_back(_postings_of("o", "old_rows", unchanged_in="new_rows"))}
        {_write(_postings_of("n", "new_rows", unchanged_in="old_rows"))}
    END IF;
    RETURN NULL;
END
$$;
"""

TRIGGERS = """
CREATE TRIGGER mentors_search_postings_insert AFTER INSERT ON mentors_mentorprofile
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION mentors_search_postings_keep();
CREATE TRIGGER mentors_search_postings_update AFTER UPDATE ON mentors_mentorprofile
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION mentors_search_postings_keep();
CREATE TRIGGER mentors_search_postings_delete AFTER DELETE ON mentors_mentorprofile
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION mentors_search_postings_keep();
"""

FILL = _write(_postings_of("p", "mentors_mentorprofile"))

UNDO = """
DROP TRIGGER mentors_search_postings_insert ON mentors_mentorprofile;
DROP TRIGGER mentors_search_postings_update ON mentors_mentorprofile;
DROP TRIGGER mentors_search_postings_delete ON mentors_mentorprofile;
DROP FUNCTION mentors_search_postings_keep();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("mentors", "0023_listed_terms_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchPosting",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "stem",
                        "weight",
                        "approved_at",
                        "profile_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("stem", models.TextField(db_collation="C")),
                ("weight", models.SmallIntegerField()),
                ("approved_at", models.DateTimeField()),
                ("profile_id", models.BigIntegerField()),
            ],
        ),
        migrations.RunSQL(KEEP_FUNCTION + TRIGGERS + FILL, UNDO),
    ]
