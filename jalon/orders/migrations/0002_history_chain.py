"""The orders' events join each contract's hash chain (jalon.commitments.chain): existing rows are
appended after the events already chained (TicketEvent), in the order they
happened, and the database then refuses UPDATE, DELETE and TRUNCATE on the table for any role but its
owner (PostgreSQL), UPDATE and DELETE outside the test suite's maintenance window (SQLite)."""

from typing import Any


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODEL = ("orders", "OrderEvent")


def chain_existing_events(apps: Any, schema_editor: Any) -> None:
    from jalon.commitments.chain import backfill

    backfill(apps, schema_editor, MODEL, record="order", fields=("state_from", "state_to"),
             contract_path="order__contract_id", before=(('tickets', 'TicketEvent'),))


def unchain(apps: Any, schema_editor: Any) -> None:
    from jalon.commitments.chain import unguard

    unguard(apps, schema_editor, MODEL)


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0017_kinds_after_merge'),
        ('contracts', '0005_merge_20261205_0043'),
        ('orders', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='orderevent',
            name='contract',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contracts.contract'),
        ),
        migrations.AddField(
            model_name='orderevent',
            name='digest',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='empreinte'),
        ),
        migrations.AddField(
            model_name='orderevent',
            name='previous',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='orderevent',
            name='seq',
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name='rang dans la chaîne'),
        ),
        migrations.AddConstraint(
            model_name='orderevent',
            constraint=models.UniqueConstraint(fields=('contract', 'seq'), name='order_event_chain_rank'),
        ),
        migrations.RunPython(chain_existing_events, unchain),
    ]
