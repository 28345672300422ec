"""Units: every paired row says its unit, and differences of shares and probabilities are also
given in percentage points, the unit the brief states them in."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import outcomes
from sim.runs.collect import HEADLINE_CAMPAIGN, HEADLINE_RUN, TABLE_LEVELS, describe, paired


def runs_table() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = [
        {
            "run_dir": f"{p}{s}",
            "status": "ok",
            "policy": p,
            "seed": s,
            "campaign": c,
            **{o: rng.random() for o in (*HEADLINE_CAMPAIGN, *HEADLINE_RUN)},
        }
        for p in ("none", "ban")
        for s in range(3)
        for c in ("A", "B")
    ]
    return pd.DataFrame(rows)


def test_paired_rows_say_their_unit_and_give_pp_for_shares():
    table = paired(runs_table(), ["policy", "seed"])
    assert not table.empty
    for _, row in table.iterrows():
        assert row["unit"] == outcomes.unit_of(row["outcome"]) != ""
        if row["unit"].startswith(("share", "probability")):
            assert row["mean_diff_pp"] == 100 * row["mean_diff"]
            assert row["ci_low_pp"] == 100 * row["ci_low"]
        else:  # slopes, variances: no percentage points
            assert np.isnan(row["mean_diff_pp"])
    units = dict(zip(table["outcome"], table["unit"]))
    assert units["vote_share_change"] == "share (0-1)"
    assert units["turnout_change"] == "probability (0-1)"
    assert units["money_advantage"] == "slope"


def test_every_paired_column_is_declared_with_a_unit():
    table = paired(runs_table(), ["policy", "seed"])
    for column, text in describe(table.columns, TABLE_LEVELS["paired"], ["policy", "seed"]).items():
        unit = text.split(" | ")[0]
        assert unit.strip(), column
