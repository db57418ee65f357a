"""A period the reader typed, refused in French: the pages and the API show these words.

The period itself is :class:`jalon.conventions.period.Period` (one definition for the engines,
the dashboard and the API); its errors are in English, as every engine's.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jalon.conventions.period import EndBeforeStart, NoSuchDay, PeriodError


def explain(error: PeriodError) -> str:
    """What is wrong with the period ``error`` refused, in the reader's language."""
    if isinstance(error, NoSuchDay):
        return _("« %(text)s » : l’une des deux dates n’existe pas.") % {"text": error.text}
    if isinstance(error, EndBeforeStart):
        return _("« %(text)s » : la fin précède le début.") % {"text": error.text}
    return _("« %(text)s » n’est pas une période (attendu : 2026, 2026-Q1, 2026-03 ou "
             "2026-01-15..2026-02-14).") % {"text": error.text}
