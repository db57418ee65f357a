"""A test-only record type with a clock, installed only under pytest (``jalon/settings.py``).

It proves the commitments layer generic: reminders get warnings and breach notices from the
one scan (:mod:`jalon.messaging.clockwatch`) with nothing written for them but a registration.
"""
