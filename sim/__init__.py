"""Paid political ads versus organic reach: an agent-based simulation (Mesa + Hydra)."""

__version__ = "0.1.0"
