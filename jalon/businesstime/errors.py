from __future__ import annotations


class CalendarError(ValueError):
    """Bad calendar input; the message starts with the field it is about (``hours: …``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message
