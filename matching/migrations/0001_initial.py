"""The matching app adopts the tables the mentors app held (state only: the
tables, their rows, constraints and indexes stay as they are, ``mentors_…``).

The only database changes: the skills worked on in a mentorship become a model
of their own on the existing table, with the minutes attended per skill; and
the moved models' content types are renamed, so permissions, group grants and
the admin history follow them.
"""

import django.core.validators
import django.db.models.constraints
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = [
    "mentorshiprequest",
    "mentorship",
    "message",
    "matchingweights",
    "matchsuggestion",
    "matchexposure",
]

MINUTES_ATTENDED = """
ALTER TABLE mentors_mentorship_skills
    ADD COLUMN minutes_attended integer NOT NULL DEFAULT 0
    CONSTRAINT mentors_mentorship_skills_minutes_attended_check
    CHECK (minutes_attended >= 0);
ALTER TABLE mentors_mentorship_skills ALTER COLUMN minutes_attended DROP DEFAULT;
ALTER TABLE mentors_mentorship_skills ADD CONSTRAINT
    matching_mentorship_skill_minutes CHECK (minutes_attended >= 0);
"""
MINUTES_ATTENDED_REVERSE = """
ALTER TABLE mentors_mentorship_skills DROP COLUMN minutes_attended;
"""

# The unique (mentorship, skill) pair Django made for the automatic table has
# a generated name; the model names it.
RENAME_UNIQUE = """
DO $$
DECLARE old_name text;
BEGIN
    SELECT conname INTO STRICT old_name FROM pg_constraint
    WHERE conrelid = 'mentors_mentorship_skills'::regclass AND contype = 'u';
    EXECUTE format(
        'ALTER TABLE mentors_mentorship_skills RENAME CONSTRAINT %I TO %I',
        old_name, 'matching_mentorship_skill_unique'
    );
END $$;
"""
# Backwards, the name Django generated for the automatic table comes back
# (derived from the table and column names only, so the same everywhere).
RENAME_UNIQUE_REVERSE = """
ALTER TABLE mentors_mentorship_skills RENAME CONSTRAINT
    matching_mentorship_skill_unique
    TO mentors_mentorship_skills_mentorship_id_skill_id_c62c96f5_uniq;
"""


def _merge_into(apps, made, old):
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    LogEntry.objects.filter(content_type_id=made.pk).update(content_type_id=old.pk)
    for permission in Permission.objects.filter(content_type_id=made.pk):
        twin = Permission.objects.filter(
            content_type_id=old.pk, codename=permission.codename
        ).first()
        if twin is None:
            permission.content_type_id = old.pk
            permission.save(update_fields=["content_type"])
            continue
        # The same permission twice: its grants move to the one kept.
        for group in permission.group_set.all():
            group.permissions.add(twin)
        for user in permission.user_set.all():
            user.user_permissions.add(twin)


def _move_content_types(apps, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue  # a new database: post_migrate creates them afterwards
        # A row made for the target meanwhile (new code served before this
        # migration ran): its admin history and permissions join the old row,
        # whose id every earlier grant and history entry holds, and it goes.
        for made in ContentType.objects.filter(app_label=target, model=model):
            _merge_into(apps, made, old)
            made.delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def content_types_forward(apps, schema_editor):
    _move_content_types(apps, "mentors", "matching")


def content_types_backward(apps, schema_editor):
    _move_content_types(apps, "matching", "mentors")
    # The through model exists only in matching: its type would be stale.
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="matching", model="mentorshipskill").delete()


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('mentors', '0010_matching_moves_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('admin', '0003_logentry_add_action_flag_choices'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='MatchExposure',
                    fields=[
                        ('mentor_profile', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='exposure', serialize=False, to='mentors.mentorprofile')),
                        ('shown', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'mentors_matchexposure',
                    },
                ),
                migrations.CreateModel(
                    name='MentorshipRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('message', models.TextField(max_length=2000, verbose_name='message')),
                        ('preferred_mode', models.CharField(choices=[('video', 'Video call'), ('phone', 'Phone'), ('in_person', 'In person')], max_length=10, verbose_name='preferred way to meet')),
                        ('status', models.CharField(choices=[('pending', 'Waiting for an answer'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn'), ('expired', 'Expired')], default='pending', max_length=10)),
                        ('answer_message', models.TextField(blank=True, max_length=2000, verbose_name='answer')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField()),
                        ('answered_at', models.DateTimeField(blank=True, null=True)),
                        ('reminded_day3_at', models.DateTimeField(blank=True, null=True)),
                        ('reminded_day10_at', models.DateTimeField(blank=True, null=True)),
                        ('learner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requests_sent', to=settings.AUTH_USER_MODEL)),
                        ('mentor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requests_received', to=settings.AUTH_USER_MODEL)),
                        ('skills', models.ManyToManyField(blank=True, db_table='mentors_mentorshiprequest_skills', related_name='+', to='mentors.skill')),
                    ],
                    options={
                        'verbose_name': 'mentoring request',
                        'verbose_name_plural': 'mentoring requests',
                        'db_table': 'mentors_mentorshiprequest',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Mentorship',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('active', 'Active'), ('ended', 'Ended')], default='active', max_length=10)),
                        ('outcome', models.CharField(blank=True, choices=[('completed', 'Completed'), ('stopped', 'Stopped')], max_length=10)),
                        ('end_reason', models.TextField(blank=True, max_length=2000, verbose_name='why it ended')),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('ended_at', models.DateTimeField(blank=True, null=True)),
                        ('learner_read_at', models.DateTimeField(blank=True, null=True)),
                        ('mentor_read_at', models.DateTimeField(blank=True, null=True)),
                        ('ended_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('learner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mentorships_as_learner', to=settings.AUTH_USER_MODEL)),
                        ('mentor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mentorships_as_mentor', to=settings.AUTH_USER_MODEL)),
                        ('request', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='mentorship', to='matching.mentorshiprequest')),
                    ],
                    options={
                        'verbose_name': 'mentorship',
                        'verbose_name_plural': 'mentorships',
                        'db_table': 'mentors_mentorship',
                        'ordering': ['-started_at'],
                    },
                ),
                migrations.CreateModel(
                    name='MentorshipSkill',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('minutes_attended', models.PositiveIntegerField(default=0, verbose_name='minutes attended')),
                        ('mentorship', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='matching.mentorship')),
                        ('skill', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mentors.skill')),
                    ],
                    options={
                        'verbose_name': 'skill worked on',
                        'verbose_name_plural': 'skills worked on',
                        'db_table': 'mentors_mentorship_skills',
                    },
                ),
                migrations.AddField(
                    model_name='mentorship',
                    name='skills',
                    field=models.ManyToManyField(blank=True, related_name='+', through='matching.MentorshipSkill', to='mentors.skill'),
                ),
                migrations.CreateModel(
                    name='Message',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('body', models.TextField(max_length=5000, verbose_name='message')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('mentorship', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='matching.mentorship')),
                    ],
                    options={
                        'verbose_name': 'message',
                        'verbose_name_plural': 'messages',
                        'db_table': 'mentors_message',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='MatchingWeights',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('skill_fit', models.PositiveSmallIntegerField(default=10, validators=[django.core.validators.MaxValueValidator(10)])),
                        ('level_gap', models.PositiveSmallIntegerField(default=4, validators=[django.core.validators.MaxValueValidator(10)])),
                        ('language', models.PositiveSmallIntegerField(default=5, validators=[django.core.validators.MaxValueValidator(10)])),
                        ('mode_place', models.PositiveSmallIntegerField(default=5, validators=[django.core.validators.MaxValueValidator(10)])),
                        ('time_overlap', models.PositiveSmallIntegerField(default=3, validators=[django.core.validators.MaxValueValidator(10)])),
                        ('capacity', models.PositiveSmallIntegerField(default=2, validators=[django.core.validators.MaxValueValidator(10)])),
                        ('responsiveness', models.PositiveSmallIntegerField(default=2, validators=[django.core.validators.MaxValueValidator(10)])),
                        ('must_language', models.BooleanField(default=True, verbose_name='shared language is a must')),
                        ('must_mode_place', models.BooleanField(default=True, verbose_name='a way to meet is a must')),
                        ('must_skill', models.BooleanField(default=True, verbose_name='at least one wanted skill is a must')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'matching weights',
                        'verbose_name_plural': 'matching weights',
                        'db_table': 'mentors_matchingweights',
                        'ordering': ['-id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('language__lte', 10), ('level_gap__lte', 10), ('skill_fit__lte', 10), ('capacity__lte', 10), ('mode_place__lte', 10), ('time_overlap__lte', 10), ('responsiveness__lte', 10)), name='mentors_weights_range')],
                    },
                ),
                migrations.CreateModel(
                    name='MatchSuggestion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('rank', models.PositiveSmallIntegerField()),
                        ('score', models.FloatField()),
                        ('breakdown', models.JSONField(default=dict)),
                        ('reasons', models.JSONField(default=list)),
                        ('weights_version', models.PositiveIntegerField()),
                        ('computed_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('learner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='suggestions', to=settings.AUTH_USER_MODEL)),
                        ('mentor_profile', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='suggested_to', to='mentors.mentorprofile')),
                    ],
                    options={
                        'db_table': 'mentors_matchsuggestion',
                        'ordering': ['learner', 'rank'],
                        'constraints': [models.UniqueConstraint(deferrable=django.db.models.constraints.Deferrable['DEFERRED'], fields=('learner', 'mentor_profile'), name='mentors_suggestion_unique'), models.UniqueConstraint(fields=('learner', 'rank'), name='mentors_suggestion_rank'), models.CheckConstraint(condition=models.Q(('score__gte', 0), ('score__lte', 1)), name='mentors_suggestion_score')],
                    },
                ),
                migrations.AddIndex(
                    model_name='mentorshiprequest',
                    index=models.Index(condition=models.Q(('status', 'pending')), fields=['expires_at'], name='mentors_request_pending_idx'),
                ),
                migrations.AddIndex(
                    model_name='mentorshiprequest',
                    index=models.Index(fields=['mentor', 'status'], name='mentors_request_mentor_idx'),
                ),
                migrations.AddIndex(
                    model_name='mentorshiprequest',
                    index=models.Index(fields=['learner', 'status'], name='mentors_request_learner_idx'),
                ),
                migrations.AddConstraint(
                    model_name='mentorshiprequest',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('learner', 'mentor'), name='mentors_request_one_open_per_pair'),
                ),
                migrations.AddConstraint(
                    model_name='mentorshiprequest',
                    constraint=models.CheckConstraint(condition=models.Q(('learner', models.F('mentor')), _negated=True), name='mentors_request_not_self'),
                ),
                migrations.AddConstraint(
                    model_name='mentorshiprequest',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'pending'), ('answered_at__isnull', False), _connector='OR'), name='mentors_request_answered_at'),
                ),
                migrations.AddConstraint(
                    model_name='mentorshipskill',
                    constraint=models.UniqueConstraint(fields=('mentorship', 'skill'), name='matching_mentorship_skill_unique'),
                ),
                migrations.AddConstraint(
                    model_name='mentorshipskill',
                    constraint=models.CheckConstraint(condition=models.Q(('minutes_attended__gte', 0)), name='matching_mentorship_skill_minutes'),
                ),
                migrations.AddIndex(
                    model_name='mentorship',
                    index=models.Index(condition=models.Q(('status', 'active')), fields=['mentor'], name='mentors_ms_active_idx'),
                ),
                migrations.AddConstraint(
                    model_name='mentorship',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('learner', 'mentor'), name='mentors_mentorship_one_active_per_pair'),
                ),
                migrations.AddConstraint(
                    model_name='mentorship',
                    constraint=models.CheckConstraint(condition=models.Q(('learner', models.F('mentor')), _negated=True), name='mentors_mentorship_not_self'),
                ),
                migrations.AddConstraint(
                    model_name='mentorship',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('ended_at__isnull', True), ('outcome', ''), ('status', 'active')), models.Q(('ended_at__isnull', False), ('outcome__in', ['completed', 'stopped']), ('status', 'ended')), _connector='OR'), name='mentors_mentorship_end_consistent'),
                ),
                migrations.AddIndex(
                    model_name='message',
                    index=models.Index(fields=['mentorship', 'created_at'], name='mentors_msg_thread_idx'),
                ),
                migrations.AddConstraint(
                    model_name='message',
                    constraint=models.CheckConstraint(condition=models.Q(('body', ''), _negated=True), name='mentors_message_not_empty'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(MINUTES_ATTENDED, MINUTES_ATTENDED_REVERSE),
                migrations.RunSQL(RENAME_UNIQUE, RENAME_UNIQUE_REVERSE),
            ],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
