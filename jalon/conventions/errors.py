from __future__ import annotations


class ConventionError(ValueError):
    """A convention (or measures) file is wrong; ``errors`` holds one line per problem,
    each starting with ``file:line: field:``."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class InputError(ValueError):
    """Tickets or measures that the convention cannot read; one line per problem, each naming
    the file, the row and the field."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors
