"""The demo: the AQUAREEL contract, one login per role and a quarter of replayed tickets
(``jalon demo``, ``make demo``, the accessibility audit of ``tools/axe_audit.py``)."""
