"""Ticket pages: the lists and their exports, a ticket and its actions, the declaration."""
