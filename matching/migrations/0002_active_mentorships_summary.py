from django.db import migrations

# Matching owns mentorships and pushes their count down to the mentor's profile
# (mentors 0014 adds the column); this fills it for the rows that exist.
COUNT = """
UPDATE mentors_mentorprofile p
SET active_mentorships = (
    SELECT count(*) FROM mentors_mentorship m
    WHERE m.mentor_id = p.user_id AND m.status = 'active'
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
        ("mentors", "0014_mentorprofile_active_mentorships"),
    ]

    operations = [
        migrations.RunSQL(
            COUNT, "UPDATE mentors_mentorprofile SET active_mentorships = 0"
        ),
    ]
