"""``/contracts/{slug}/deliverables``: the register, a deliverable, its versions and outcome."""
