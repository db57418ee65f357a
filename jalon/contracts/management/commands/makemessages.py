"""``jalon makemessages``: Django's command, also extracting ``_lazy("…")``.

Several modules import ``gettext_lazy as _lazy`` next to ``gettext as _``; xgettext knows ``_`` and
Django adds ``gettext_lazy``, but nobody tells it about ``_lazy``: those messages (ticket states,
event kinds, action names…) would silently stay out of the .po files. The command lives here only
because it must belong to an installed app.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    # the base class declares it a plain list attribute, so no ClassVar here
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]  # noqa: RUF012
