"""A preset's label is not kept for a policy an override changed: "no rules, frequency cap
1/day" in summary.json, the tables and the figures; the config hash does not change."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.config import config_hash
from sim.configure import compose
from sim.provenance import provenance
from sim.report.tables import Sweep

CAPS = "under the caps on ad frequency, copy-paste posts and targeting"  # what conf/policy/cap.yaml caps


@pytest.mark.parametrize(
    "overrides, label, phrase",
    [
        ((), "no rules", "with no rules"),
        (
            ("policy.frequency_cap.per_day=1",),
            "no rules, frequency cap 1/day",
            "with no rules (frequency cap 1/day)",
        ),
        (("policy=cap", "policy.frequency_cap.per_day=3"), "caps", CAPS),  # the preset's own
        (
            ("policy=cap", "policy.enforcement.enabled=false"),
            "caps, enforcement off",
            CAPS + " (enforcement off)",
        ),
        (
            ("policy=[transparency,cap]", "policy.spend_cap.per_1000_users=20"),
            "transparency + caps, spend cap per 1000 users 20",
            None,
        ),
    ],
)
def test_label_names_the_changed_levers(overrides, label, phrase):
    prov = provenance(compose(*overrides))
    assert prov["policy_label"] == label
    if phrase:
        assert prov["policy_phrase"] == phrase


def test_label_is_not_part_of_the_config_hash():
    """The changed-lever note describes the config; it is not part of it: the same levers
    without the note hash the same (a stored config hash stays valid)."""
    for overrides in (
        ("policy.frequency_cap.per_day=1",),
        ("policy=cap", "policy.enforcement.enabled=false"),
    ):
        cfg = compose(*overrides)
        noted = config_hash(cfg)
        assert cfg.policy.changed
        cfg.policy.changed = ""
        assert config_hash(cfg) == noted
        assert noted != config_hash(compose())  # the levers themselves are in the hash


def sweep_of(labels: dict[str, list[str]]) -> Sweep:
    rows = [
        {"policy": p, "policy_label": lab, "policy_phrase": f"with {lab}", "seed": i, "campaign": "A"}
        for p, labs in labels.items()
        for i, lab in enumerate(labs)
    ]
    return Sweep(pd.DataFrame(rows))


def test_report_label_of_a_regime():
    s = sweep_of({"none": ["no rules, frequency cap 1/day"] * 2})
    assert s.regime_label("none") == "no rules, frequency cap 1/day"
    # a sweep over the lever without --regime-by: only the preset's part is common
    s = sweep_of({"none": ["no rules, frequency cap 1/day", "no rules, frequency cap 3/day"]})
    assert s.regime_label("none") == "no rules"
    s = sweep_of({"cap": ["caps, enforcement off", "caps, enforcement on"]})
    assert s.regime_label("cap") == "caps"
