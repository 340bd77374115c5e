"""Requests, mentorships, messages and the matching engine's models move to the
``matching`` app. Their tables stay as they are (``mentors_…``): this migration
only forgets them from the ``mentors`` state, and ``matching.0001`` adopts
them. A report keeps the id of the message reported and a copy of its text
instead of a foreign key (nothing in ``mentors`` points up to ``matching``).
"""

from django.db import migrations, models

COPY_MESSAGE_TEXT = """
UPDATE mentors_report r SET message_text = m.body
FROM mentors_message m WHERE m.id = r.message_id
"""

# Backwards, the foreign key comes back: a report whose message was deleted
# since (the plain id outlives it) loses the id, as SET_NULL would have done.
FORGET_DELETED_MESSAGES = """
UPDATE mentors_report r SET message_id = NULL
WHERE r.message_id IS NOT NULL
AND NOT EXISTS (SELECT 1 FROM mentors_message m WHERE m.id = r.message_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("mentors", "0009_report_reason_block_ended"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="message_text",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                verbose_name="text of the message reported",
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(COPY_MESSAGE_TEXT, migrations.RunSQL.noop),
        # The foreign key becomes a plain id (the column keeps its name and its
        # values; the constraint and its index go).
        migrations.AlterField(
            model_name="report",
            name="message",
            field=models.PositiveBigIntegerField(
                null=True, blank=True, editable=False, db_column="message_id"
            ),
        ),
        # Listed after the change so that, backwards, it runs before the
        # foreign key is added again.
        migrations.RunSQL(migrations.RunSQL.noop, FORGET_DELETED_MESSAGES),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("report", "message", "message_id"),
                migrations.AlterField(
                    model_name="report",
                    name="message_id",
                    field=models.PositiveBigIntegerField(
                        blank=True,
                        editable=False,
                        null=True,
                        verbose_name="message reported",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("MatchExposure"),
                migrations.DeleteModel("MatchSuggestion"),
                migrations.DeleteModel("MatchingWeights"),
                migrations.DeleteModel("Message"),
                migrations.DeleteModel("Mentorship"),
                migrations.DeleteModel("MentorshipRequest"),
            ],
            database_operations=[],
        ),
    ]
