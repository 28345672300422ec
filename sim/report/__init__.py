"""Figures and the one-page brief, drawn from output files and collected sweep tables (never
from a model): style.py (colours, labels, style sheet), run_figure.py (one run's figure),
tables.py (a collected sweep as the figures read it), figures.py, brief.py, cli.py."""
