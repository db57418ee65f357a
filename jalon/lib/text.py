"""What the platform keeps of a text people type: no control characters.

A title is one line: tabs and line ends become spaces, every other control character is taken
out. A longer text (description, comment) keeps its tabs and line ends. NUL is refused before
(:class:`jalon.lib.guards.RefuseNulMiddleware`): PostgreSQL cannot store it.
"""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"[\t\r\n\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x84\x86-\x9f]")


def one_line(value: str) -> str:
    """``value`` as a single line without control characters, stripped."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub(" ", value)).strip()


def plain_text(value: str) -> str:
    """``value`` without control characters other than tab, CR and LF."""
    return _CONTROLS.sub("", value)
