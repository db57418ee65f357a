"""``/api/v1/tickets``: list, read, declare, reword, take the workflow's steps; comments, history, clocks."""
