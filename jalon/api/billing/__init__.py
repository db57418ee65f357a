"""Billing elements and the invoice draft."""
