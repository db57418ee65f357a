"""``/contracts/{slug}/reports``: structured reports entered as data, their PDF and DOCX."""
