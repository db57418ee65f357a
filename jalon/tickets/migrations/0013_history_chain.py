"""Each contract's ticket events form a hash chain (jalon.tickets.history), and the database
refuses to rewrite the history tables.

- existing events get their rank, previous digest and digest, contract by contract, in the order
  they happened;
- PostgreSQL: row triggers refuse UPDATE and DELETE, a statement trigger refuses TRUNCATE, on the
  events and the published daily heads, for every role but the tables' owner (who alone may
  disable a trigger, and could drop it anyway): production runs the application as a role that
  does not own them (docs/operations.md);
- SQLite: triggers refuse UPDATE and DELETE unless the connection's ``jalon_history_maintenance()``
  says a maintenance window is open (only the test suite's flush opens one).
"""

from typing import Any

import django.db.models.deletion
import jalon.lib.clock
from django.conf import settings
from django.db import migrations, models


TABLES = ("tickets_ticketevent", "tickets_chainhead")
MESSAGE = "%s is append-only: history is never updated nor deleted"


def _sqlite_up(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE % table}'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "WHEN jalon_history_maintenance() = 0 "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE % table}'); END",
    ]


def _sqlite_down(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION jalon_refuse_history_change() RETURNS trigger AS $$ "
    "BEGIN "
    "IF TG_OP <> 'UPDATE' AND pg_has_role(current_user, "
    "(SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN "
    "  IF TG_LEVEL = 'ROW' THEN RETURN OLD; END IF; RETURN NULL; "
    "END IF; "
    "RAISE EXCEPTION '% is append-only: history is never updated nor deleted (%)', "
    "TG_TABLE_NAME, TG_OP; "
    "END; $$ LANGUAGE plpgsql"
)


def _postgres_up(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}",
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION jalon_refuse_history_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION jalon_refuse_history_change()",
    ]


def _postgres_down(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"]


def chain_existing_events(apps: Any, schema_editor: Any) -> None:
    from jalon.tickets.history import GENESIS, event_digest

    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS tickets_ticketevent_no_update ON tickets_ticketevent")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS tickets_ticketevent_no_update")
    Event = apps.get_model("tickets", "TicketEvent")
    Ticket = apps.get_model("tickets", "Ticket")
    contracts = dict(Ticket.objects.values_list("pk", "contract_id"))
    chains: dict[int, tuple[int, str]] = {}
    for event in Event.objects.order_by("at", "pk").iterator(chunk_size=2000):
        contract = contracts[event.ticket_id]
        seq, previous = chains.get(contract, (0, GENESIS))
        seq += 1
        digest = event_digest(seq=seq, contract=contract, ticket=event.ticket_id, kind=event.kind,
                              actor=event.actor_id, at=event.at, state_from=event.state_from,
                              state_to=event.state_to, internal=event.internal,
                              payload=event.payload, previous=previous)
        Event.objects.filter(pk=event.pk).update(contract_id=contract, seq=seq, previous=previous,
                                                 digest=digest)
        chains[contract] = (seq, digest)
    statements = {
        "sqlite": [s for t in TABLES for s in _sqlite_up(t)],
        "postgresql": [POSTGRES_FUNCTION, *[s for t in TABLES for s in _postgres_up(t)]],
    }
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement, params=None)


def unchain(apps: Any, schema_editor: Any) -> None:
    statements = {
        "sqlite": [s for t in TABLES for s in _sqlite_down(t)],
        "postgresql": [s for t in TABLES for s in _postgres_down(t)],
    }
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0003_contract_assigned_groups'),
        ('tickets', '0012_diagnosis_cancellation_channel'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='jour')),
                ('seq', models.PositiveBigIntegerField(verbose_name='rang du dernier événement')),
                ('digest', models.CharField(max_length=64, verbose_name='empreinte')),
                ('published_at', models.DateTimeField(default=jalon.lib.clock.now, verbose_name='publiée le')),
            ],
            options={
                'verbose_name': 'empreinte quotidienne de l’historique',
                'verbose_name_plural': 'empreintes quotidiennes de l’historique',
                'ordering': ('contract', '-day'),
            },
        ),
        migrations.AddField(
            model_name='comment',
            name='edited_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='modifié le'),
        ),
        migrations.AddField(
            model_name='ticketevent',
            name='contract',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contracts.contract'),
        ),
        migrations.AddField(
            model_name='ticketevent',
            name='digest',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='empreinte'),
        ),
        migrations.AddField(
            model_name='ticketevent',
            name='previous',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='ticketevent',
            name='seq',
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name='rang dans la chaîne'),
        ),
        migrations.AlterField(
            model_name='ticketevent',
            name='kind',
            field=models.CharField(choices=[('opened', 'Ouverture'), ('qualified', 'Qualification'), ('assigned', 'Affectation'), ('escalated', 'Escalade'), ('work_started', 'Début du traitement'), ('waiting', 'Mise en attente'), ('resumed', 'Reprise'), ('confirmed', 'Faisabilité confirmée'), ('diagnosed', 'Diagnostic rendu'), ('cancelled', 'Annulation'), ('resolved', 'Résolution'), ('closed', 'Clôture'), ('reopened', 'Réouverture'), ('commented', 'Commentaire'), ('attachment_added', 'Pièce jointe'), ('phone_call', 'Appel téléphonique'), ('time_logged', 'Temps passé'), ('report_written', 'Rapport d’intervention'), ('edited', 'Modification'), ('comment_edited', 'Commentaire modifié')], max_length=30, verbose_name='nature'),
        ),
        migrations.AddConstraint(
            model_name='ticketevent',
            constraint=models.UniqueConstraint(fields=('contract', 'seq'), name='event_chain_rank'),
        ),
        migrations.AddField(
            model_name='chainhead',
            name='contract',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contracts.contract', verbose_name='marché'),
        ),
        migrations.AddConstraint(
            model_name='chainhead',
            constraint=models.UniqueConstraint(fields=('contract', 'day'), name='chain_head_day'),
        ),
        migrations.RunPython(chain_existing_events, unchain),
    ]
