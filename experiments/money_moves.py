"""Where the money goes when a rule binds (issue 23): dollars per channel and platform before and
after a ban on one of two platforms, over the substitution parameters, and what a binding ad
spend cap and a one-platform ban do to money's share of all political impressions.

    PYTHONPATH=. python -m experiments.money_moves [--n 5000] [--seeds 1]

The two_party world; two platforms are conf/platforms/two_copies (half of each user's reading
on each; "before": both open, ``platforms.1.policy=none``; "after": the second bans political
ads). Every number is a mean over seeds 0..seeds-1 at the given population.
"""

from __future__ import annotations

import argparse

import numpy as np

import sim

BEFORE = ("platforms=two_copies", "platforms.1.policy=none")
AFTER = ("platforms=two_copies",)
GRID = [(s, e) for s in (0.0, 0.5, 1.0) for e in (0.0, 1.0, 4.0)]


def run(n: int, seeds: int, *overrides: str) -> dict:
    """Mean over seeds: per candidate, dollars per channel; and the run's money shares."""
    rows = []
    for seed in range(seeds):
        s = sim.simulate(f"population.n={n}", f"seed={seed}", "output.figure=false", *overrides).summary
        row = {
            "money": s["money_share_of_political"],
            "ads_share": s["ad_share_of_political"],
        }
        for c in s["campaigns"][:2]:
            name = c["campaign"]
            row[f"{name} staff"] = c["spend_staff"]
            row[f"{name} volunteers"] = c["spend_volunteers"]
            row[f"{name} spent"] = c["spend"]
            row[f"{name} budget"] = c["budget"]
            row[f"{name} ads"] = c["spend_ads"]
        for r in s.get("platforms", []):
            if r["campaign"] in ("A", "B"):
                row[f"{r['campaign']} ads:{r['platform']}"] = r["spend_ads"]
        rows.append(row)
    return {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}


def show(title: str, table: list[tuple[str, dict]], columns: list[str]) -> None:
    print(f"\n{title}")
    head = f"{'case':<26}" + "".join(f"{c:>14}" for c in columns)
    print(head)
    print("-" * len(head))
    for name, row in table:
        cells = "".join(
            f"{row[c]:>14.3f}" if c in ("money", "ads_share") else f"{row.get(c, 0.0):>14.0f}"
            for c in columns
        )
        print(f"{name:<26}{cells}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seeds", type=int, default=1)
    a = ap.parse_args()
    n, k = a.n, a.seeds
    cols = [
        f"{c} {x}" for c in ("A", "B") for x in ("ads:open", "ads:banned", "staff", "volunteers", "spent")
    ]
    table = [("before (both open)", run(n, k, *BEFORE))]
    for s, e in GRID:
        over = (f"allocation.substitution={s}", f"allocation.elasticity={e}")
        table.append((f"after s={s:g} e={e:g}", run(n, k, *AFTER, *over)))
    show(
        f"Ban on one of two platforms: US$ per channel and platform ({n:,} users, {k} seed(s); "
        "s = allocation.substitution, e = allocation.elasticity)",
        table,
        cols + ["ads_share", "money"],
    )
    cols1 = [f"{c} {x}" for c in ("A", "B") for x in ("ads", "staff", "volunteers", "spent")]
    table = [("no rules", run(n, k))]
    for s in (0.0, 0.5, 1.0):
        table.append((f"ban s={s:g}", run(n, k, "policy=ban", f"allocation.substitution={s}")))
    for s in (0.0, 1.0):
        cap = (
            "policy.spend_cap.per_1000_users=50",
            "policy.spend_cap.scope=ads",
            f"allocation.substitution={s}",
        )
        table.append((f"ad cap $50/1k s={s:g}", run(n, k, *cap)))
    table.append(("total cap $50/1k", run(n, k, "policy.spend_cap.per_1000_users=50")))
    show(
        f"One platform: a ban and a binding spend cap ({n:,} users, {k} seed(s))",
        table,
        cols1 + ["ads_share", "money"],
    )
    print("\nmoney = money_share_of_political (ads, paid posters, their reshares and money-funded staff and")
    print("volunteer posts, over all political impressions); ads_share = ad_share_of_political.")


if __name__ == "__main__":
    main()
