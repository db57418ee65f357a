"""``/contracts/{slug}/orders``: purchase orders."""
