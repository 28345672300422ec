"""Paid political ads versus organic reach: an agent-based simulation (Mesa + Hydra).

In a notebook::

    import sim
    result = sim.simulate("policy=ban", "population.n=5000")
    result.summary, result.steps, result.cascades, result.model
    table = sim.sweep("policy=none,ban", "seed=range(3)", out="results/my_sweep")
"""

from .version import __version__

__all__ = ["__version__", "simulate", "sweep", "Result"]


def __getattr__(name: str):
    """The notebook API (sim/api.py), imported on first use so that ``import sim`` and the
    report tools stay light."""
    if name in ("simulate", "sweep", "Result"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
