"""The mentor-data version becomes a sequence (no row lock shared by every
writer). It starts above the row's counter, so every cache keyed on a version
handed out before is left behind."""

from django.db import migrations

FORWARD = """
CREATE SEQUENCE mentors_data_version_seq;
SELECT setval(
    'mentors_data_version_seq',
    COALESCE(
        (SELECT mentor_data_version FROM mentors_matchingstate WHERE id = 1), 0
    ) + 1,
    true
);
"""

# Back to the row, one above the sequence (0012's reverse has re-created the
# table, empty).
BACKWARD = """
INSERT INTO mentors_matchingstate (id, mentor_data_version)
SELECT 1, last_value + 1 FROM mentors_data_version_seq
ON CONFLICT (id) DO UPDATE SET mentor_data_version = EXCLUDED.mentor_data_version;
DROP SEQUENCE mentors_data_version_seq;
"""


class Migration(migrations.Migration):
    dependencies = [("mentors", "0010_matching_moves_out")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
