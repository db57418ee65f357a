"""Dashboard figures of a contract over a period, shared by the web pages and the API."""
