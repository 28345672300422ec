"""The classroom: one population under two regimes, stepped together (model.py), and the
SolaraViz web app around it (app.py)."""
