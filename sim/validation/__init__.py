"""Checks of the model against theory in its limiting cases (theory.py)."""
