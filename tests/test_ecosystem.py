"""Several platforms as an ecosystem: users on some platforms only (reach drawn from a survey),
each platform's own targeting rules for each campaign, the 2019 three-platform world, and the
watchdogs' takedown delay."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.model import SimModel
from sim.model.levers import Watchdogs
from sim.model.model import STREAMS, make_streams
from sim.model.platform import membership
from sim.model.watchdogs import Accountability
from sim.vocabulary import Origin

from .conftest import make_config

SMALL = ("population.n=2000", "steps=6", "network.cache=false")
# Pew Research Center, survey of Jan 8 - Feb 7 2019: share of US adults who ever use each
PEW_2019 = {"twitter": 0.22, "facebook": 0.69, "google": 0.73}


def test_membership_matches_the_survey_and_overlaps_more_than_independence():
    """Each platform's share of 40,000 drawn users is its reach within 4 binomial standard
    errors, sqrt(p (1 - p) / n) (~0.002 here; 4 SE: a false alarm about once in 16,000 per
    check). With overlap loadings 0.5 the share on both Facebook and YouTube exceeds the
    product of the marginals by more than 4 SE of the joint share (the copula's latent
    correlation 0.5 gives ~0.53 against 0.50); with loadings 0 it is the product within 4 SE."""
    n = 40_000
    reach = list(PEW_2019.values())
    on = membership(reach, [0.5] * 3, n, np.random.default_rng(0))
    for k, p in enumerate(reach):
        assert abs(on[:, k].mean() - p) < 4 * math.sqrt(p * (1 - p) / n)
    both, indep = (on[:, 1] & on[:, 2]).mean(), reach[1] * reach[2]
    assert both - indep > 4 * math.sqrt(both * (1 - both) / n)
    apart = membership(reach, [0.0] * 3, n, np.random.default_rng(1))
    both = (apart[:, 1] & apart[:, 2]).mean()
    assert abs(both - indep) < 4 * math.sqrt(indep * (1 - indep) / n)


def test_no_reach_draws_nothing_and_earlier_streams_are_unchanged():
    """With no platform giving a reach, nobody is drawn (everyone is on every platform: today's
    model); the membership stream is appended last, so the earlier streams of a seed are the
    same as when there were six."""
    assert membership([None, None], [0.5, 0.5], 100, np.random.default_rng(0)) is None
    assert STREAMS[-1] == "membership"
    old = np.random.SeedSequence(7).spawn(len(STREAMS) - 1)
    new = make_streams(7)
    for name, seq in zip(STREAMS[:-1], old):
        assert np.random.default_rng(new[name]).random() == np.random.default_rng(seq).random()


@pytest.fixture(scope="module")
def ecosystem():
    model = SimModel(make_config(*SMALL, "platforms=ecosystem_2019"), log=True)
    model.run()
    return model


def test_a_user_reads_and_posts_only_where_they_are_a_member(ecosystem):
    """Every impression on a platform is a member's, and every platform gets some; the day's
    readers of all platforms are members of at least one."""
    m = ecosystem
    assert m.members is not None and m.members.shape == (m.n, 3)
    for day in m.log["impressions"]:
        for p in range(3):
            users = day["users"][day["platform"] == p]
            assert len(users) > 0 and m.members[users, p].all()
    # posts by regular users (volunteers) reach only the platforms their posters are on: a
    # volunteer's own post seen on a platform was posted there by a member
    reg = m.registry
    for day in m.log["impressions"]:
        owned = (day["origin"] == Origin.OWNED) & (reg.author[day["contents"]] < m.n)
        authors = reg.author[day["contents"][owned]]
        assert m.members[authors, day["platform"][owned]].all()


def test_each_platform_targets_by_its_own_rules(ecosystem):
    """At set-up, on the Google-like platform (targeting limited to age, gender and place:
    segments) a candidate's audience is whole demographic cells, on the Facebook-like one it is
    micro-targeted (not whole cells), and the Twitter-like one (a ban, no targeting rule) shares
    the first platform's; over the run its ads on each platform reach only its audience there
    (audiences only widen, so the final one bounds every day's)."""
    fresh = SimModel(make_config(*SMALL, "platforms=ecosystem_2019"))
    segment = fresh.population.segment[: fresh.n]
    camp = fresh.campaigns[0]
    assert [t.level for t in camp.targetings] == ["micro", "micro", "segments"]
    assert camp.targetings[1] is camp.targetings[0]  # ban and transparency target alike
    google = camp.audience_on(2)
    assert 0 < google.mean() < 1
    for cell in np.unique(segment):
        assert google[segment == cell].all() or not google[segment == cell].any()
    facebook = camp.audience_on(1)
    assert any(0 < facebook[segment == c].mean() < 1 for c in np.unique(segment))
    m, reg = ecosystem, ecosystem.registry
    for day in m.log["impressions"]:
        ads = day["from_ad"] & (reg.campaign[day["contents"]] == 0)
        for p in (1, 2):
            assert m.campaigns[0].audience_on(p)[day["users"][ads & (day["platform"] == p)]].all()


def test_the_2019_ecosystem_runs_end_to_end():
    """platforms=ecosystem_2019 from the API: per-platform rows for the three platforms; the
    banned Twitter-like platform sells no candidate ad while candidates advertise on the other
    two, and the campaigns' ad money goes mostly to the Facebook-like one (ad_weight 256 of 329)."""
    s = sim.simulate(*SMALL, "platforms=ecosystem_2019").summary
    rows = {(r["platform"], r["campaign"]): r for r in s["platforms"]}
    assert {p for p, _ in rows} == {"twitter", "facebook", "google"}
    for name in ("A", "B"):
        assert rows["twitter", name]["impressions_ad"] == 0
        assert rows["facebook", name]["impressions_ad"] > 0 and rows["google", name]["impressions_ad"] > 0
    spend = {p: sum(r["spend_ads"] for (q, _), r in rows.items() if q == p) for p in ("facebook", "google")}
    assert spend["facebook"] > spend["google"] > 0


def test_a_ban_before_the_first_platform_leaves_ads_on_the_others():
    """Campaigns are no longer set up under the first platform's rules alone: the first platform
    bans political ads, yet the candidates advertise on the second."""
    s = sim.simulate(
        *SMALL, "platforms=two_copies", "platforms.0.policy=ban", "platforms.1.policy=none"
    ).summary
    rows = {(r["platform"], r["campaign"]): r for r in s["platforms"]}
    assert rows["open", "A"]["impressions_ad"] == 0 and rows["banned", "A"]["impressions_ad"] > 0


def test_takedown_waits_a_geometric_delay_with_the_stated_mean():
    """4,000 suspects flagged on day 2 (full coverage, a huge dose) are taken down after a
    geometric delay on 0, 1, ... with mean 5: the mean delay is within 4 standard errors,
    sqrt(m (m + 1) / N) ~ 0.09, of 5, some are taken down on the flag day and none before it."""
    mean, n = 5.0, 4000
    w = Watchdogs(enabled=True, coverage=1.0, lag=2, visibility=1e-6, takedown_days=mean)
    downs = {}
    camps = [
        type(
            "C",
            (),
            {
                "suspect": True,
                "detected_day": None,
                "take_down": lambda self, day, *a: downs.setdefault(id(self), day),
            },
        )()
        for _ in range(n)
    ]
    steps = 200
    acc = Accountability(w, camps, None, None, n_users=1000, steps=steps, rng=np.random.default_rng(3))
    acc.impressions[0] = 100.0
    for day in range(steps):
        acc.act(day)
    delays = np.array(list(downs.values())) - 2
    assert all(c.detected_day == 0 for c in camps)
    assert len(delays) > 0.99 * n and delays.min() == 0
    assert abs(delays.mean() - mean) < 4 * math.sqrt(mean * (mean + 1) / len(delays))


def test_watchdogs_take_something_down_within_a_run_at_their_defaults():
    """At the default lag and delay (7 + 203 days, Edelson et al.'s 210 on average) the chance
    that a sponsor flagged on day 7 is down by day 29 is 1 - (203/204)^23 ~ 11%: not zero by
    construction as the old 210-day lag made it."""
    w = Watchdogs(enabled=True)
    p = 1 - (w.takedown_days / (1 + w.takedown_days)) ** (30 - 1 - w.lag)
    assert 0.05 < p < 0.2


def test_a_platforms_frequency_cap_and_targeting_apply_there_only():
    """two_copies with the caps preset on the second platform: there no user sees more than 3 ads
    of one campaign a day and the candidates target demographic cells; on the first they are
    micro-targeted and the most ads a user gets of one campaign in a day is above 3."""
    model = SimModel(make_config(*SMALL, "platforms=two_copies", "platforms.1.policy=cap"), log=True)
    model.run()
    assert [t.level for t in model.campaigns[0].targetings] == ["micro", "segments"]
    reg, most = model.registry, {0: 0, 1: 0}
    for day in model.log["impressions"]:
        for p in (0, 1):
            ads = day["from_ad"] & (day["platform"] == p)
            pairs = day["users"][ads] * len(model.campaigns) + reg.campaign[day["contents"][ads]]
            if len(pairs):
                most[p] = max(most[p], int(np.unique(pairs, return_counts=True)[1].max()))
    assert most[1] <= 3 < most[0]
