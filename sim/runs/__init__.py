"""Runs and sweeps: one run to its folder (run.py), runs inside a Hydra multirun (sweep.py),
a sweep folder into tables (collect.py), global sensitivity (sensitivity.py), and the command
line that drives them (command.py)."""
