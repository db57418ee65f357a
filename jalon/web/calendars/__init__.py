"""The personal calendar feeds page and the feed at its secret address."""
