"""Test support: the named cast of the base test case (``cast``) and the static accessibility
checkers (``a11y``, ``contrast``). Only tests and ``tools/`` import this package; no product code
does (import-linter checks it)."""
