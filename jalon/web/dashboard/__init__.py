"""The contract dashboard: its figures, charts and exports."""
