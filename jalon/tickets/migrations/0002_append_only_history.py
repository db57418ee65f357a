"""The database itself refuses to rewrite a ticket's history (UPDATE on tickets_ticketevent).

DELETE is refused by the model and its queryset and made impossible through foreign keys
(PROTECT); a DELETE trigger is not added because test-database flushes delete rows.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

MESSAGE = "tickets_ticketevent is append-only: history lines are never updated"

# One statement per string: drivers refuse several statements in one prepared query.
SQLITE_UP = [
    "CREATE TRIGGER tickets_ticketevent_no_update BEFORE UPDATE ON tickets_ticketevent "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS tickets_ticketevent_no_update"]

POSTGRES_UP = [
    "CREATE OR REPLACE FUNCTION tickets_ticketevent_refuse_update() RETURNS trigger AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER tickets_ticketevent_no_update BEFORE UPDATE ON tickets_ticketevent "
    "FOR EACH ROW EXECUTE FUNCTION tickets_ticketevent_refuse_update()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS tickets_ticketevent_no_update ON tickets_ticketevent",
    "DROP FUNCTION IF EXISTS tickets_ticketevent_refuse_update()",
]


def _run(sql: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in sql.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
