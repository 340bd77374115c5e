"""The directory's filters a profile passes, in one array PostgreSQL keeps
(``MentorProfile.search_facets``), and its GIN index over every row.

A page of filters read each filter's own GIN index and ANDed their bitmaps:
a value most profiles hold costs its whole list (the phone at 200,000 bench
mentors: 59,476 entries, 7.5 ms, to keep 1,264 profiles with a skill group
and French). One GIN scan of several values of the same index skips through
the long lists to the rarest one's entries (1.5 ms there).

The column is computed by an IMMUTABLE function of the row (an expression of
a generated column may hold no subquery, and ``array_to_string`` is only
STABLE); adding it rewrites the table once. The index is then built without
locking the table against writes: a concurrent build that fails leaves an
invalid index behind (``DROP INDEX CONCURRENTLY mentors_profile_facets_idx``
before running the migration again)."""

import django.contrib.postgres.fields
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import AddIndexConcurrently
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


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("mentors", "0029_newest_filters_index"),
    ]

    operations = [
        migrations.RunSQL(
            FUNCTION,
            reverse_sql="DROP FUNCTION mentors_search_facets(varchar[], varchar[], text[], varchar)",
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
        AddIndexConcurrently(
            model_name="mentorprofile",
            index=GinIndex(fields=["search_facets"], name="mentors_profile_facets_idx"),
        ),
    ]
