from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mentors', '0013_mentorprofile_people_helped'),
    ]

    operations = [
        migrations.AddField(
            model_name='mentorprofile',
            name='active_mentorships',
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
