"""Structured reports entered as data and rendered as documents (PDF and DOCX).

A library-like layer between ``commitments`` and the record apps: record apps (a deliverable
takes a report as a version) and the pages import it; it imports no record app. See
``docs/architecture.md``.
"""
