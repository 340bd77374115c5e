"""The search postings kept by row-level triggers, each with a WHEN clause,
instead of statement-level ones with transition tables (migration 0024).

The statement-level triggers compared the rows before and after each
statement in a join of two transition tables, planned once per session by
PL/pgSQL: an update of the slot summaries of 165,000 profiles (the 200,000
mentors' seed) took minutes. Here the WHEN clause, checked in the executor
for each row without calling the function, leaves out every update that
changes none of the listing, terms, weight or approval (slot summaries,
pauses: the frequent ones), and a row that changed takes back its old
postings and writes its new ones by the primary key.
"""

import importlib

from django.db import migrations

_STATEMENT_LEVEL = importlib.import_module("mentors.migrations.0024_search_postings")

# Listed: the directory's rule for a profile row (``mentors.directory._LISTED``),
# with terms (those too long for the weight index are NULL and read apart).
LISTED = (
    "{0}.approved_at IS NOT NULL AND {0}.is_published"
    " AND {0}.hidden_by_staff_at IS NULL AND {0}.search_terms IS NOT NULL"
)
# What the postings of a row depend on.
KEPT = (
    "({0}.search_terms, {0}.search_weight, {0}.approved_at,"
    " {0}.is_published, {0}.hidden_by_staff_at)"
)

KEEP_FUNCTION = f"""
CREATE OR REPLACE FUNCTION mentors_search_postings_keep() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF {LISTED.format("OLD")} THEN
            DELETE FROM mentors_searchposting x
            WHERE x.stem = ANY (tsvector_to_array(OLD.search_terms))
              AND x.weight = OLD.search_weight
              AND x.approved_at = OLD.approved_at
              AND x.profile_id = OLD.id;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF {LISTED.format("NEW")} THEN
            INSERT INTO mentors_searchposting (stem, weight, approved_at, profile_id)
            SELECT s.stem, NEW.search_weight, NEW.approved_at, NEW.id
            FROM unnest(tsvector_to_array(NEW.search_terms)) AS s(stem);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
"""

TRIGGERS = f"""
DROP TRIGGER mentors_search_postings_insert ON mentors_mentorprofile;
DROP TRIGGER mentors_search_postings_update ON mentors_mentorprofile;
DROP TRIGGER mentors_search_postings_delete ON mentors_mentorprofile;
CREATE TRIGGER mentors_search_postings_insert AFTER INSERT ON mentors_mentorprofile
FOR EACH ROW WHEN ({LISTED.format("NEW")})
EXECUTE FUNCTION mentors_search_postings_keep();
CREATE TRIGGER mentors_search_postings_update AFTER UPDATE ON mentors_mentorprofile
FOR EACH ROW WHEN ({KEPT.format("OLD")} IS DISTINCT FROM {KEPT.format("NEW")})
EXECUTE FUNCTION mentors_search_postings_keep();
CREATE TRIGGER mentors_search_postings_delete AFTER DELETE ON mentors_mentorprofile
FOR EACH ROW WHEN ({LISTED.format("OLD")})
EXECUTE FUNCTION mentors_search_postings_keep();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("mentors", "0024_search_postings"),
    ]

    operations = [
        migrations.RunSQL(
            KEEP_FUNCTION + TRIGGERS,
            # Back to 0024's statement-level triggers.
            _STATEMENT_LEVEL.UNDO
            + _STATEMENT_LEVEL.KEEP_FUNCTION
            + _STATEMENT_LEVEL.TRIGGERS,
        )
    ]
