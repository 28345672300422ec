"""``python -m sim scenario import FILE``: a public ad-library export as a scenario YAML.

    python -m sim scenario import creative_stats.csv [--users 208e6] [--out conf/scenario/x.yaml]

Formats (recognised by their columns; docs/model.md 3.3, "Scenarios from ad libraries"):

- **Google** political-ads transparency bundle, ``creative_stats.csv`` (one row per ad):
  ``Advertiser_Name``, ``Date_Range_Start``, ``Date_Range_End``, ``Spend_Range_Min_USD``,
  ``Spend_Range_Max_USD``, ``Impressions`` (a bucket such as ``10k-100k``), ``Age_Targeting``,
  ``Gender_Targeting``, ``Geo_Targeting_Included``.
- **Meta** Ad Library API export (``ads_archive``; JSON ``{"data": [...]}`` or a CSV with the
  bounds flattened): ``page_name`` (or ``bylines`` / ``funding_entity``), ``ad_delivery_start_time``,
  ``ad_delivery_stop_time``, ``spend`` and ``impressions`` with ``lower_bound`` / ``upper_bound``.
- **Meta** Ad Library *report* CSV (one row per advertiser): ``Page name``, ``Disclaimer``,
  ``Amount spent (USD)``, ``Number of ads in Library`` (no dates: a 30-day run).

Mapping: each advertiser (sponsor) is a campaign; its spend is the sum of the midpoints of its
ads' spend ranges, divided by ``--users`` (the audience the spend was spread over, default the
208M US Facebook users of Gonzalez-Bailon et al. 2023) x 1,000: US$ per 1,000 users; the run
lasts from the first to the last day any ad ran (the flight window); its bid is its implied
CPM (spend over impressions, midpoints) x 1.5 where impressions are given; declared age, gender
or geographic targeting narrower than everyone -> ``targeting: micro``, else ``broad``.
Lost: each ad's own dates within the window (the model's campaigns spend over the whole run),
which age, gender or place was targeted (the model's segments are not those cells), the ads'
content and the advertisers' leanings: the two largest spenders become the candidates at
positions -0.5 and +0.5, everyone else a non-candidate at 0 - edit these by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

import yaml

US_FACEBOOK_USERS = 208e6  # Gonzalez-Bailon et al. 2023, Science 381:392, abstract
BID_MARKUP = 1.5  # bid over the implied CPM paid: a second price sits below the bid (judgement)
MAX_DAYS = 366

GOOGLE = {
    "Advertiser_Name",
    "Date_Range_Start",
    "Date_Range_End",
    "Spend_Range_Min_USD",
    "Spend_Range_Max_USD",
}
META_API = {"ad_delivery_start_time"}
META_REPORT = {"Page name", "Amount spent (USD)"}
IMPRESSION_BUCKETS = {
    "≤ 10k": (0, 1e4),
    "<= 10k": (0, 1e4),
    "10k-100k": (1e4, 1e5),
    "100k-1m": (1e5, 1e6),
    "1m-10m": (1e6, 1e7),
    "> 10m": (1e7, 1e7),
}


class ImportError_(ValueError):
    """A file that is not one of the formats: the message is the one-line error."""


def _day(text: str) -> date:
    return datetime.fromisoformat(str(text).strip().replace("Z", "+00:00")[:10]).date()


def _num(text) -> float:
    clean = str(text).replace(",", "").replace("$", "")
    return float(clean.strip().lstrip("≤<≥>").strip() or 0)


def _bucket(text: str) -> tuple[float, float] | None:
    key = str(text).strip().lower().replace("–", "-").replace(" - ", "-").replace("≤", "≤ ")
    key = key.replace("≤  ", "≤ ")
    return IMPRESSION_BUCKETS.get(key)


def _narrow(row: dict) -> bool:
    """Declared targeting narrower than all adults everywhere."""
    age = str(row.get("Age_Targeting", "")).strip().lower()
    gender = str(row.get("Gender_Targeting", "")).strip().lower()
    geo = str(row.get("Geo_Targeting_Included", "")).strip()
    broad_age = age in ("", "not targeted", "≥18", "18+", "18-65+, unknown age")
    broad_gender = gender in ("", "not targeted", "female, male, unknown gender")
    broad_geo = geo in ("", "United States", "US")
    return not (broad_age and broad_gender and broad_geo)


def read_ads(path: Path) -> tuple[str, list[dict]]:
    """The file's format and its ads as dicts: sponsor, spend (low, high), impressions (low,
    high) or None, start, end (dates or None), narrow (bool)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportError_(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
        rows = data.get("data", data) if isinstance(data, dict) else data
        if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
            raise ImportError_(
                f'{path}: JSON must be a list of ads or {{"data": [ads]}} (a Meta Ad Library API export)'
            )
        cols = set(rows[0])
    else:
        reader = csv.DictReader(text.splitlines())
        cols = set(reader.fieldnames or [])
        rows = list(reader)
    if GOOGLE <= cols:
        return "google", [_google(r) for r in rows]
    if META_API <= cols:
        return "meta_api", [_meta_api(r) for r in rows]
    if META_REPORT <= cols:
        return "meta_report", [_meta_report(r) for r in rows]
    raise ImportError_(
        f"{path}: columns {', '.join(sorted(cols)[:6]) or '(none)'} ... match no known export: "
        f"need Google creative_stats.csv ({', '.join(sorted(GOOGLE))}), a Meta Ad Library API "
        "export (ad_delivery_start_time, spend) or a Meta Ad Library report (Page name, Amount "
        "spent (USD))"
    )


def _google(r: dict) -> dict:
    return {
        "sponsor": r["Advertiser_Name"].strip(),
        "spend": (_num(r["Spend_Range_Min_USD"]), _num(r["Spend_Range_Max_USD"])),
        "impressions": _bucket(r.get("Impressions", "")),
        "start": _day(r["Date_Range_Start"]),
        "end": _day(r["Date_Range_End"]),
        "narrow": _narrow(r),
    }


def _bounds(value) -> tuple[float, float] | None:
    if isinstance(value, dict):
        low = _num(value.get("lower_bound", 0))
        return low, _num(value.get("upper_bound", low))
    return None


def _meta_api(r: dict) -> dict:
    spend = _bounds(r.get("spend")) or (
        _num(r.get("spend_lower_bound", 0)),
        _num(r.get("spend_upper_bound", 0)),
    )
    imps = _bounds(r.get("impressions"))
    if imps is None and r.get("impressions_lower_bound") not in (None, ""):
        imps = (_num(r["impressions_lower_bound"]), _num(r.get("impressions_upper_bound", 0)))
    start = _day(r["ad_delivery_start_time"])
    stop = r.get("ad_delivery_stop_time")
    return {
        "sponsor": str(
            r.get("bylines") or r.get("funding_entity") or r.get("page_name") or "unknown"
        ).strip(),
        "spend": spend,
        "impressions": imps,
        "start": start,
        "end": _day(stop) if stop else start,
        "narrow": False,
    }


def _meta_report(r: dict) -> dict:
    amount = _num(r["Amount spent (USD)"])
    return {
        "sponsor": str(r.get("Disclaimer") or r["Page name"]).strip(),
        "spend": (amount, amount),
        "impressions": None,
        "start": None,
        "end": None,
        "narrow": False,
    }


def to_scenario(name: str, ads: list[dict], users: float) -> dict:
    """The scenario (a dict in the YAML layout of conf/scenario/) and the run's steps."""
    if not ads:
        raise ImportError_("the file has no ads")
    days = [d for a in ads for d in (a["start"], a["end"]) if d is not None]
    steps = (max(days) - min(days)).days + 1 if days else 30
    if steps > MAX_DAYS:
        raise ImportError_(f"the ads span {steps} days: at most {MAX_DAYS} (export one race)")
    by: dict[str, dict] = {}
    for a in ads:
        s = by.setdefault(
            a["sponsor"], {"spend": 0.0, "imp": 0.0, "spend_imp": 0.0, "narrow": False, "ads": 0}
        )
        mid = sum(a["spend"]) / 2
        s["spend"] += mid
        s["ads"] += 1
        s["narrow"] |= a["narrow"]
        if a["impressions"]:
            s["imp"] += sum(a["impressions"]) / 2
            s["spend_imp"] += mid
    order = sorted(by, key=lambda k: -by[k]["spend"])
    campaigns = []
    for i, sponsor in enumerate(order):
        s = by[sponsor]
        cpm = 1000 * s["spend_imp"] / s["imp"] if s["imp"] else 25.0
        candidate = i < 2
        campaigns.append(
            {
                "name": sponsor[:40],
                "sponsor": sponsor,
                "position": (-0.5, 0.5)[i] if candidate else 0.0,
                "candidate": candidate,
                "budget": round(1000 * s["spend"] / users, 4),
                "bid": round(min(max(BID_MARKUP * cpm, 1.0), 500.0), 2),
                "targeting": "micro" if s["narrow"] else "broad",
                "posts_per_day": 1 if candidate else 0,
                "official_followers": 0.02 if candidate else 0.0,
            }
        )
    return {"name": name, "steps": steps, "campaigns": campaigns}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m sim scenario", description="Scenarios from public ad-library exports."
    )
    sub = ap.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="an ad-library export -> a scenario YAML")
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--users",
        type=float,
        default=US_FACEBOOK_USERS,
        help="users the spend reached (default 208e6, US Facebook users)",
    )
    imp.add_argument("--name", default="", help="scenario name (default: the file's stem)")
    imp.add_argument("--out", type=Path, help="write here (default: print)")
    args = ap.parse_args(argv)
    if not args.file.is_file():
        print(f"error: FILE = {str(args.file)!r}: no such file", file=sys.stderr)
        return 2
    if not (math.isfinite(args.users) and args.users >= 1):
        print(f"error: --users = {args.users}: must be a number >= 1", file=sys.stderr)
        return 2
    try:
        fmt, ads = read_ads(args.file)
        scen = to_scenario(args.name or args.file.stem, ads, args.users)
    except (ImportError_, KeyError, ValueError) as exc:
        msg = str(exc) if isinstance(exc, ImportError_) else f"{args.file}: unreadable value ({exc})"
        print(f"error: {msg}", file=sys.stderr)
        return 2
    steps = scen.pop("steps")
    header = (
        f"# Imported from {args.file.name} ({fmt}) by `python -m sim scenario import`: "
        f"budgets are US$ per 1,000 users\n# over {args.users:,.0f} users; run it with "
        f"steps={steps} (the flight window). Positions and candidates are guesses: edit.\n"
    )
    text = header + yaml.safe_dump(scen, sort_keys=False, allow_unicode=True)
    if args.out is None:
        print(text, end="")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, suffix=".tmp")  # nothing half-written
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, args.out)
    print(f"-> {args.out} (run with scenario={args.out.stem} steps={steps})", file=sys.stderr)
    return 0
