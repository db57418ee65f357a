"""Records written once: a history line, a time entry, a published chain head, an
acknowledgement. The model and its querysets refuse to change or delete them, each in its own
words (``refused_change``, ``refused_delete``); the database's triggers refuse the same below
(``jalon/tickets/history.py``)."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.db import models

_M = TypeVar("_M", bound="AppendOnly")


class AppendOnly(models.Model):
    """A record written once: ``save`` of a stored row and ``delete`` raise ``TypeError``."""

    refused_change: ClassVar[str] = ""
    """Why it may not change (default: the model's name, "is written once and never changed")."""
    refused_delete: ClassVar[str] = ""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise self.change_refused()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise self.delete_refused()

    @classmethod
    def change_refused(cls) -> TypeError:
        return TypeError(cls.refused_change or f"{cls.__name__} is written once and never changed.")

    @classmethod
    def delete_refused(cls) -> TypeError:
        return TypeError(cls.refused_delete or f"{cls.__name__} is never deleted.")


class AppendOnlyQuerySet(models.QuerySet[_M]):
    """No bulk update or delete of an :class:`AppendOnly` model, in its words."""

    def update(self, **kwargs: Any) -> int:
        raise self.model.change_refused()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise self.model.delete_refused()
