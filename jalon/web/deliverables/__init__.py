"""Deliverables pages: the register, a deliverable, its versions and outcome."""
