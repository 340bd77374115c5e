"""The directory's filters a profile passes, in one array PostgreSQL keeps
(``MentorProfile.search_facets``); its GIN index is migration 0031's.

A page of filters read each filter's own GIN index and ANDed their bitmaps:
a value most profiles hold costs its whole list (the phone at 200,000 bench
mentors: 59,476 entries, 7.5 ms, to keep 1,264 profiles with a skill group
and French). One GIN scan of several values of the same index skips through
the long lists to the rarest one's entries (1.5 ms there).

The column is computed by an IMMUTABLE function of the row (an expression of
a generated column may hold no subquery, and ``array_to_string`` is only
STABLE). A later change of the function must be a new function and a new
column: ``CREATE OR REPLACE`` would not recompute the stored rows.

One transaction (it can be run again after a failure): adding the column
rewrites the table and its indexes under an exclusive lock, which blocks
reads and writes for as long (~15 s at 200,000 bench mentors). Then the
column is kept in the row (storage MAIN, as ``search_skills`` in 0026: with
the default, 7,575 of 20,001 bench profiles kept it in the TOAST table, and a
check of 3,000 rows read three times the buffers), the rows holding skills
written again so that their values come back in, and the table analyzed:
the planner's estimates of the filters read its statistics."""

import django.contrib.postgres.fields
from django.db import migrations, models
from django.db.models.expressions import RawSQL

FUNCTION = """
CREATE OR REPLACE FUNCTION mentors_search_facets(
    languages varchar[], modes varchar[], skills text[], region varchar
) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT 'l:' || value FROM unnest(languages) AS value)
        || ARRAY(SELECT 'm:' || value FROM unnest(modes) AS value)
        || ARRAY(SELECT DISTINCT 's:' || regexp_replace(held, ':[0-9]+$', '')
                 FROM unnest(skills) AS held)
        || coalesce(skills, '{}')
        || CASE WHEN coalesce(region, '') = '' THEN '{}'::text[]
                ELSE ARRAY['r:' || region] END
$$
"""
IN_THE_ROW = [
    "ALTER TABLE mentors_mentorprofile ALTER COLUMN search_facets SET STORAGE MAIN",
    # A new value of search_skills (``|| '{}'``) makes the row's facets anew.
    "UPDATE mentors_mentorprofile SET search_skills = search_skills || '{}'::text[]"
    " WHERE cardinality(search_skills) > 0",
    "ANALYZE mentors_mentorprofile",
]


class Migration(migrations.Migration):
    dependencies = [
        ("mentors", "0029_newest_filters_index"),
    ]

    operations = [
        migrations.RunSQL(
            FUNCTION,
            reverse_sql=(
                "DROP FUNCTION mentors_search_facets(varchar[], varchar[], text[], varchar)"
            ),
        ),
        migrations.AddField(
            model_name="mentorprofile",
            name="search_facets",
            field=models.GeneratedField(
                db_persist=True,
                expression=RawSQL(
                    "mentors_search_facets(languages, modes, search_skills, region)",
                    (),
                ),
                output_field=django.contrib.postgres.fields.ArrayField(
                    base_field=models.TextField(), size=None
                ),
            ),
        ),
        migrations.RunSQL(IN_THE_ROW, migrations.RunSQL.noop),
    ]
