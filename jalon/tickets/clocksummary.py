"""The clock summary of every ticket at once, in SQL: ``Ticket.due_at``, ``risk_at`` and
``breached`` from the ticket's stored clocks (:data:`SUMMARY_SQL`), and the clock its list row
shows, ``Ticket.list_clock`` (:data:`LIST_CLOCK_SQL`).

One ticket's summary is written by ``Ticket.recompute_clocks`` at each change; this statement
writes them all from the clock rows, for the migration that introduced the columns and for bulk
loaders that write clock rows without the domain (``benchmarks/platform_data.py``). It says the
same as ``Ticket._sum_up``: the nearest due and warning instants of the running clocks (started,
not stopped, with a due instant: not paused), and whether any clock was over its target. Plain
SQL that SQLite and PostgreSQL both run.

Only the tickets whose summary is not the default (no running clock, none over its target) are
written: those with a running or breached clock, and those whose stored summary says so — a few
in a hundred on a contract's history, where writing every row would double the table.
"""

RUNNING = "c.started_at IS NOT NULL AND c.stopped_at IS NULL AND c.due_at IS NOT NULL"

SUMMARY_SQL = f"""
UPDATE tickets_ticket SET
    due_at = (SELECT MIN(c.due_at) FROM tickets_clock c
              WHERE c.ticket_id = tickets_ticket.id AND {RUNNING}),
    risk_at = (SELECT MIN(c.risk_at) FROM tickets_clock c
               WHERE c.ticket_id = tickets_ticket.id AND {RUNNING}),
    breached = EXISTS (SELECT 1 FROM tickets_clock c
                       WHERE c.ticket_id = tickets_ticket.id AND c.breached)
WHERE due_at IS NOT NULL OR risk_at IS NOT NULL OR breached
   OR EXISTS (SELECT 1 FROM tickets_clock c
              WHERE c.ticket_id = tickets_ticket.id AND (c.breached OR ({RUNNING})))
"""

LIST_CLOCK_SQL = """
UPDATE tickets_ticket SET list_clock_id = (
    SELECT c.id FROM tickets_clock c
    WHERE c.ticket_id = tickets_ticket.id AND c.started_at IS NOT NULL
    ORDER BY CASE WHEN c.stopped_at IS NOT NULL THEN 2 WHEN c.due_at IS NOT NULL THEN 0 ELSE 1 END,
             CASE WHEN c.stopped_at IS NULL THEN c.due_at END,
             CASE WHEN c.stopped_at IS NULL THEN c.kind END,
             c.stopped_at DESC,
             c.kind DESC
    LIMIT 1)
WHERE EXISTS (SELECT 1 FROM tickets_clock c WHERE c.ticket_id = tickets_ticket.id AND c.started_at IS NOT NULL)
"""
"""``Ticket.shown_clock`` for every ticket with a started clock: running ones first, the one due
first (then by kind); then suspended ones, by kind; then stopped ones, the last stopped (then the
last kind). Each ordering key is NULL outside its group, so that the two databases' different
places for NULLs never decide."""
