"""``/api/v1/contracts``: the caller's contracts, one contract with its convention, its dashboard."""
