"""The meetings' events join each contract's hash chain (jalon.commitments.chain): existing rows are
appended after the events already chained (TicketEvent, OrderEvent), in the order they
happened, and the database then refuses UPDATE, DELETE and TRUNCATE on the table for any role but its
owner (PostgreSQL), UPDATE and DELETE outside the test suite's maintenance window (SQLite)."""

from typing import Any


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODEL = ("governance", "MeetingEvent")


def chain_existing_events(apps: Any, schema_editor: Any) -> None:
    from jalon.commitments.chain import backfill

    backfill(apps, schema_editor, MODEL, record="meeting", fields=(),
             contract_path="meeting__contract_id", before=(('tickets', 'TicketEvent'), ('orders', 'OrderEvent')))


def unchain(apps: Any, schema_editor: Any) -> None:
    from jalon.commitments.chain import unguard

    unguard(apps, schema_editor, MODEL)


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0002_history_chain'),
        ('contracts', '0005_merge_20261205_0043'),
        ('governance', '0002_finding'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='meetingevent',
            name='contract',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contracts.contract'),
        ),
        migrations.AddField(
            model_name='meetingevent',
            name='digest',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='empreinte'),
        ),
        migrations.AddField(
            model_name='meetingevent',
            name='previous',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='meetingevent',
            name='seq',
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name='rang dans la chaîne'),
        ),
        migrations.AlterField(
            model_name='meetingevent',
            name='meeting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='governance.meeting'),
        ),
        migrations.AddConstraint(
            model_name='meetingevent',
            constraint=models.UniqueConstraint(fields=('contract', 'seq'), name='meeting_event_chain_rank'),
        ),
        migrations.RunPython(chain_existing_events, unchain),
    ]
