"""Structured reports' pages: the list with the contract's Word templates, a report and its
revisions, its PDF and DOCX."""
