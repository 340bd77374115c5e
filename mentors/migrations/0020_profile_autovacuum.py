"""The directory's window walks the weight index alone (an index-only scan,
``mentors.0019_search_terms``), which reads a profile's row anyway when its
page was changed since the last vacuum. Profiles change often (availability
summaries, bookings), so the table is vacuumed after 2 % of its rows changed
instead of PostgreSQL's default 20 %, which keeps its visibility map current."""

from django.db import migrations

SETTINGS = (
    "autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02"
)


class Migration(migrations.Migration):
    dependencies = [("mentors", "0019_search_terms")]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE mentors_mentorprofile SET ({SETTINGS})",
            "ALTER TABLE mentors_mentorprofile RESET"
            " (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor)",
        ),
    ]
