"""The iCalendar feed of every deadline a person is concerned by (see ``feed.py``)."""
