"""Twitter's 2019 ban, counterfactually, at Twitter's scale: the challenger's share of the
candidates' impressions before and after, on several seeds (experiments/ecosystem_2019.sh).

Three worlds, all the ``incumbent_challenger`` scenario (a well-followed $-poorer incumbent, a
challenger with three times its budget, down-ballot campaigns, a dark-money group, news and users
posting about the race):

0. **Twitter alone at the brief's budgets**: the Twitter preset with incumbent_challenger's own
   budgets ($20 and $60 per 1,000 users), 20 times Twitter's scale (the reference).
1. **Twitter alone at Twitter's scale**: the Twitter preset (platform=twitter) with every budget
   divided by 20, which puts the candidates at $1 and $3 per 1,000 users over the run, the scale
   of ``twitter_2018`` (Twitter sold "less than $3 million" of political ads in the 2018
   midterms; sim/conf/scenario/twitter_2018.yaml). docs/brief.md's 54.8% -> 12.5% is this
   comparison at 20 times that money.
2. **The 2019 ecosystem** (platforms=ecosystem_2019): Twitter-, Facebook- and Google-like
   platforms with the users Pew counted on each and the campaigns' ad money split 3 : 256 : 70
   as the platforms' 2018 political ad revenue was; Twitter's rule none (before) or ban (after).

Prints, per world, the challenger's share of the candidates' impressions with no rules and
under the ban (mean and 95% t interval over seeds) and the same-seed effect of the ban in
percentage points; in the ecosystem also the share on Twitter itself.

    python experiments/ecosystem_2019.py [--seeds 5] [--users 10000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import math

import numpy as np

import sim
from sim.stats import mean_ci
from sim.vocabulary import ORIGINS

TWITTER_SCALE = 20  # docs/brief.md's incumbent_challenger budgets / Twitter 2018's
BUDGETS = {0: 20, 1: 60, 2: 2, 3: 2, 4: 5}  # incumbent_challenger's campaigns with a budget ($/1,000 users)
WORLDS = {
    "Twitter alone, the brief's budgets (20x Twitter's scale)": (
        ["platform=twitter"],
        ("policy=none", "policy=ban"),
    ),
    "Twitter alone, Twitter's scale": (
        ["platform=twitter"]
        + [f"scenario.campaigns.{i}.budget={b / TWITTER_SCALE:g}" for i, b in BUDGETS.items()],
        ("policy=none", "policy=ban"),
    ),
    "2019 ecosystem (Twitter 1% of the money)": (
        ["platforms=ecosystem_2019"],
        ("platforms.0.policy=none", "platforms.0.policy=ban"),
    ),
}


def shares(summary: dict) -> tuple[float, float]:
    """The challenger's share of the candidates' impressions: everywhere, and on Twitter (nan
    with one platform)."""
    camps = {c["campaign"]: c for c in summary["campaigns"]}
    everywhere = camps["Challenger"]["candidate_reach_share"]
    rows = [r for r in summary.get("platforms", []) if r["platform"] == "twitter"]
    if not rows:
        return everywhere, math.nan
    imp = {r["campaign"]: sum(r[f"impressions_{o}"] for o in ORIGINS) for r in rows}
    return everywhere, imp["Challenger"] / max(imp["Challenger"] + imp["Incumbent"], 1)


def run(overrides: list[str]) -> tuple[float, float]:
    return shares(sim.simulate(*overrides).summary)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    from joblib import Parallel, delayed

    base = [
        "scenario=incumbent_challenger",
        f"population.n={args.users}",
        "output.figure=false",
        "output.quiet=true",
    ]
    jobs = [
        (world, rule, seed, base + extra + [rule, f"seed={seed}"])
        for world, (extra, rules) in WORLDS.items()
        for rule in rules
        for seed in range(args.seeds)
    ]
    results = Parallel(n_jobs=args.jobs)(delayed(run)(o) for *_, o in jobs)
    got = {(w, r, s): v for (w, r, s, _), v in zip(jobs, results)}

    def pct(values) -> str:
        e = mean_ci(np.asarray(values) * 100)
        return f"{e.mean:.1f}% [{e.lo:.1f}, {e.hi:.1f}]" if len(values) > 1 else f"{e.mean:.1f}%"

    print(f"{args.seeds} seeds, {args.users:,} users, 30 days; mean [95% t interval]")
    for world, (_, (before, after)) in WORLDS.items():
        print(f"\n{world}")
        for where, k in (("all platforms", 0), ("on Twitter", 1)):
            b = [got[world, before, s][k] for s in range(args.seeds)]
            a = [got[world, after, s][k] for s in range(args.seeds)]
            if all(math.isnan(x) for x in b):
                continue
            d = np.array(a) - np.array(b)
            e = mean_ci(d * 100)
            print(f"  challenger's share of the candidates' impressions, {where}:")
            print(
                f"    no rules {pct(b)}  ban {pct(a)}  ban effect {e.mean:+.1f} pp [{e.lo:+.1f}, {e.hi:+.1f}]"
            )


if __name__ == "__main__":
    main()
