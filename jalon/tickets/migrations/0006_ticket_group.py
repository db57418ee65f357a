"""The ticket list's group filter options without reading every ticket: an index on
(contract, assigned_group) lets ``jalon.web.views.assigned_groups`` probe it once per distinct
group (a loose index scan), on PostgreSQL and SQLite alike."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0005_list_and_dashboard_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['contract', 'assigned_group'], name='ticket_group'),
        ),
    ]
