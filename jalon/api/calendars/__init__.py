"""``/contracts/{slug}/calendar.ics``."""
