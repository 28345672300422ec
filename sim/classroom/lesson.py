"""docs/classroom.md, written from the model: every number the lesson cites is computed here.

    python -m sim.classroom.lesson            # rewrite docs/classroom.md
    python -m sim.classroom.lesson --figure   # and redraw docs/figures/app.png (needs chromium)
    python -m sim.classroom.lesson --check    # exit 1 if either is not current

Each experiment is a ``Setup``: press Defaults, change a few controls (named by their keys, so
that the instructions print the labels the page shows), press Reset, run to a day. The lesson
runs exactly that through ``ClassroomModel`` (the app's model, with the app's rule that choosing
a scenario loads its budgets) and quotes the numbers the page then shows: the key numbers and
the per-campaign counters. The screenshot in the doc is the intro's set-up followed in the
served page by the same ``Setup``; the page's key numbers must equal the lesson's before it is
saved, and the PNG carries them (a text chunk), so ``--check`` finds a stale figure as it finds
a stale text. Where the text compares two numbers, the words (more, fewer, rises,
falls) are chosen from the numbers; the few claims the lesson's story rests on are checked
(``CLAIMS``), and the script stops, naming the claim, when a model change breaks one: then the
text needs a human. After a model change, run it again and commit the new doc.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import struct
import sys
import textwrap
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .model import (
    BUTTONS,
    CONTROL,
    DEFAULTS,
    ClassroomModel,
    apply_setting,
    campaign_counters,
    choice_text,
    day_numbers,
    policy_style,
    scenario_campaigns,
)

# Measured with scripts/classroom_load.py (a measurement, not computed here: run it again after
# a change to the app, on the machine you mean).
LOAD = """Measured on a 2-core machine (`scripts/classroom_load.py`: 30 students as light clients that
speak the page's websocket protocol and draw nothing, so that the server is what is measured;
the tabs open 1 s apart, then each clicks Step 10 times at 300 users with 1-3 s between clicks;
the server on 127.0.0.1; three runs on 2026-12-04, 300 clicks each): click-to-redraw median
69-272 ms, 95th percentile 0.4-1.0 s, the longest 1.3 s. The server used 44-66 ms of CPU a
click and 0.4-0.6 s to open a page (build its model and send its ~160 widgets); 30 students
clicking every 1-3 s keep about 0.7 of one core busy. With 30 headless Chromium tabs on the
same 2 cores (`--client browser`) the browsers' drawing dominated: an earlier version measured
median 3.0 s and 95th percentile 7.2 s, with the server at 36 s of CPU and Chromium at 226 s.
In a class, each browser runs on its student's laptop.

The server steps a default model once as it starts, so that the step's compiled kernels are
ready before the first click: after a fresh install they are compiled then (~10 s, once; later
starts load them from disk in ~1 s). Without it the first Step of a class compiled them and
froze every tab meanwhile: a run with the kernels not yet compiled gave a 95th percentile of
9.0 s, against 0.4 s with the warm-up.

Memory: the server took 308 MB idle (kernels loaded), 439 MB with 30 tabs open and 481 MB
after their steps. Every closed session is freed (a closed tab at once, a vanished one after
the 2-minute cull), and Python's own heap returns to within 1 MB (tracemalloc); the process
keeps memory above a cold start (the first pages' imports and the allocator's arenas: 439 MB
after the 30 tabs above were gone), and that does not grow with more classes: 10 sessions
opened and closed five times in a row left 223, 233, 255, 256 and 256 MB of the server's own
(anonymous) memory, a one-time growth of the allocator's arenas and then flat
(`tests/test_app.py::test_closed_sessions_give_their_memory_back`)."""

FIGURE_ALT = (
    "The classroom app at 1024x768: no rules (left) and a ban on political ads (right), "
    "same 300 users, day 20"
)
DOC = Path(__file__).resolve().parents[2] / "docs" / "classroom.md"
FIGURE = DOC.parent / "figures" / "app.png"
FIGURE_SIZE = (1024, 768)  # a projector's
STAMP = "sim-lesson"  # the PNG text chunk with the numbers the figure shows
BUTTON_DEFAULTS, BUTTON_RUN, BUTTON_RESET = BUTTONS[-1], BUTTONS[3], BUTTONS[4]


@dataclass(frozen=True)
class Setup:
    """Press Defaults, make ``changes`` in order, press Reset, run to ``day``."""

    changes: tuple = ()
    day: int = 30

    @property
    def settings(self) -> dict:
        s = dict(DEFAULTS)
        for key, value in self.changes:
            s = apply_setting(s, key, value)
        return s

    def instructions(self, capital: bool = False) -> str:
        names = _names(self.settings)
        steps = [f"{'P' if capital else 'p'}ress **{BUTTON_DEFAULTS}**"]
        steps += [f"set *{CONTROL[k].text(names)}* = `{_value(k, v)}`" for k, v in self.changes]
        steps.append(f"press **{BUTTON_RESET}**, then **{BUTTON_RUN}** with {self.day} in its box")
        return ", ".join(steps[:-1]) + " and " + steps[-1] if len(steps) > 1 else steps[0]

    @cached_property
    def result(self) -> Result:
        model = ClassroomModel(**self.settings)
        for _ in range(self.day):
            model.step()
        return Result(model)


def _value(key: str, v) -> str:
    """A value as the page shows it: a number as typed, a choice as its menu reads."""
    return f"{v:g}" if isinstance(v, float) else choice_text(key, v)


def _names(settings) -> tuple:
    from .model import scenario_settings

    return scenario_settings(settings["scenario_name"])["names"]


class Result:
    """The numbers the page shows after a Setup: ``side(i)`` per regime, ``key(i)`` its key
    numbers, ``c(i, campaign)[counter]`` its counters."""

    def __init__(self, model: ClassroomModel):
        self.regimes = model.regimes
        self.labels = [policy_style(r)[0] for r in model.regimes]
        self.keys = [day_numbers(run) for run in model.runs]
        self.counters = [{c["campaign"]: c for c in campaign_counters(run)} for run in model.runs]

    def c(self, i: int, campaign: str) -> dict:
        return self.counters[i][campaign]

    def share(self, i: int, campaign: str) -> float:
        """The campaign's share of all impressions (of every campaign)."""
        return self.c(i, campaign)["impressions"] / sum(c["impressions"] for c in self.counters[i].values())


# ---------------------------------------------------------------- the experiments

INTRO = Setup(day=20)
MONEY = Setup(changes=(("compare", "off"),))
APPEAL = Setup(changes=(("compare", "off"), ("appeal_b", 2.0)))
LOOPHOLE = Setup(changes=(("scenario_name", "paid_amplifiers"), ("compare", "ban")))
ENFORCED = Setup(changes=LOOPHOLE.changes + (("detection", 0.05),))
LABELS = Setup(changes=(("compare", "transparency"),))
SKEPTICS = Setup(changes=LABELS.changes + (("skepticism", 0.9), ("label_effect", 0.8)))
SETUPS = {
    "intro": INTRO,
    "money": MONEY,
    "appeal": APPEAL,
    "loophole": LOOPHOLE,
    "enforced": ENFORCED,
    "labels": LABELS,
    "skeptics": SKEPTICS,
}


# ---------------------------------------------------------------- words from numbers


def n(x) -> str:
    return f"{int(round(x)):,}"


def pct(x, digits=0) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{100 * x:.{digits}f}%"


def pp(x) -> str:
    return f"{100 * x:+.3f}"


def usd0(x) -> str:
    return f"${x:,.0f}"


def usd(x) -> str:
    return f"${x:,.2f}"


def relative(a, b) -> str:
    """The change from a to b as a percentage of a: '-15%'."""
    return f"{100 * (b - a) / a:+.0f}%" if a else "n/a"


def more(a, b, up="more", down="fewer", same="as many") -> str:
    return up if a > b else down if a < b else same


def rises(a, b, plural=False) -> str:
    word = "rise" if b > a else "fall" if b < a else "stay"
    return word if plural else word + "s"


def change(a, b, fmt=n, plural=False) -> str:
    """'rises from a to b' (or falls, or stays at a): the direction in words."""
    if a == b:
        return f"{rises(a, b, plural)} at {fmt(a)}"
    return f"{rises(a, b, plural)} from {fmt(a)} to {fmt(b)}"


def reflow(text: str, width: int = 96) -> str:
    """Paragraphs and list items refilled to ``width`` (code, headings, images, comments kept)."""
    out, fence = [], False
    for block in text.split("\n\n"):
        first = block.lstrip("\n")
        if first.startswith("```") or fence:
            fence = fence ^ (block.count("```") % 2 == 1)
            out.append(block)
            continue
        if first.startswith(("#", "<!--", "![")):
            out.append(block)
            continue
        items, lines = [], block.split("\n")
        for line in lines:
            if line.startswith("- ") or not items:
                items.append(line.strip())
            else:
                items[-1] += " " + line.strip()
        items = [re.sub(r"`[^`]*`", lambda m: m[0].replace(" ", "\0"), i) for i in items]
        out.append(
            "\n".join(
                textwrap.fill(
                    i,
                    width,
                    subsequent_indent="  " if i.startswith("- ") else "",
                    break_on_hyphens=False,
                    break_long_words=False,
                )
                for i in items
            )
        )
    return "\n\n".join(out).replace("\0", " ")  # spaces in `code` kept unbroken


# ---------------------------------------------------------------- the claims the story rests on


VISIBLE = 0.10  # a question rests on a change of at least 10%, or on a count that leaves 0


def visible(a, b) -> bool:
    """A difference a class can see on the page: at least VISIBLE of the larger number."""
    return abs(b - a) >= VISIBLE * max(abs(a), abs(b)) and a != b


def _claims():
    """The claims the story rests on. The questions the class is asked rest on differences
    they can see (``visible``), not on the second decimal of a dollar figure."""
    i, m, ap, lo, en, la, sk = (SETUPS[k].result for k in SETUPS)
    return [
        (
            "under the ban A and B buy no ad impressions (two_party)",
            i.c(1, "A")["impressions_ad"] == i.c(1, "B")["impressions_ad"] == 0,
        ),
        (
            "two_party under the ban: the money share of political reach is 0 (no paid posters)",
            i.keys[1]["money_share"] == 0,
        ),
        (
            "with no rules a fifth or more of the political reach on day 20 is bought (news pages and "
            "users posting about the race carry most of the rest)",
            i.keys[0]["money_share"] > 0.2,
        ),
        (
            "experiment 1: A, with 3x B's budget, gets visibly more impressions than B",
            m.c(0, "A")["impressions"] > m.c(0, "B")["impressions"]
            and visible(m.c(0, "A")["impressions"], m.c(0, "B")["impressions"]),
        ),
        ("experiment 1: A's reach is mostly bought", m.c(0, "A")["money_share"] > 0.5),
        (
            "experiment 1: doubling B's appeal gives B visibly more reshares and impressions",
            ap.c(0, "B")["reshares"] > m.c(0, "B")["reshares"]
            and visible(m.c(0, "B")["reshares"], ap.c(0, "B")["reshares"])
            and visible(m.c(0, "B")["impressions"], ap.c(0, "B")["impressions"]),
        ),
        ("experiment 2: the ban removes B's ads", lo.c(1, "B")["impressions_ad"] == 0),
        (
            "experiment 2: under the ban A still has paid posters' impressions",
            lo.c(1, "A")["impressions_amplified"] > 0,
        ),
        (
            "experiment 2: under the ban money still roots most of A's reach",
            lo.c(1, "A")["money_share"] > 0.5,
        ),
        (
            "experiment 2: stronger enforcement suspends more of A's accounts",
            en.c(1, "A")["accounts_suspended"] > lo.c(1, "A")["accounts_suspended"],
        ),
        (
            "experiment 3: the no-rules side is the same in both runs (nothing is labeled there)",
            sk.c(0, "A") == la.c(0, "A"),
        ),
        (
            "experiment 3: skeptical users and strong labels cut A's ad impressions",
            sk.c(1, "A")["impressions_ad"] < la.c(1, "A")["impressions_ad"],
        ),
        (
            "experiment 2: under the ban A has visibly more paid posters than with no rules",
            visible(lo.c(0, "A")["amplifiers"], lo.c(1, "A")["amplifiers"]),
        ),
    ]


def check_claims() -> list[str]:
    """The claims that no longer hold (empty: the text's story is still right)."""
    return [text for text, ok in _claims() if not ok]


# ---------------------------------------------------------------- the figure


def figure_numbers() -> dict:
    """What the figure must show: the intro's day, and each side's key numbers as printed."""
    r = INTRO.result
    return {
        "day": INTRO.day,
        "size": list(FIGURE_SIZE),
        "sides": [
            {
                "regime": regime,
                "money_share": f"{100 * k['money_share']:.0f}%",
                "total_a": f"{k['total_a']:,}",
                "total_b": f"{k['total_b']:,}",
                "total": f"{k['total']:,}",
            }
            for regime, k in zip(r.regimes, r.keys)
        ],
    }


def page_numbers(page) -> list[dict]:
    """Each side's key numbers as the served page shows them."""
    return page.eval_on_selector_all(
        ".sim-key",
        """boxes => boxes.map(b => ({
        regime: b.dataset.regime, money_share: b.querySelector('.sim-money-share').innerText,
        total_a: b.querySelector('.sim-total-a').innerText,
        total_b: b.querySelector('.sim-total-b').innerText,
        total: b.querySelector('.sim-total').innerText}))""",
    )


def follow(page, setup: Setup) -> None:
    """Do in the page what ``setup.instructions()`` tells a teacher to do."""
    from .browser import reset, run_to, select_option, set_number

    page.locator(".sim-defaults").click()
    for key, value in setup.changes:
        if CONTROL[key].kind == "choice":
            select_option(page, key, value)
        else:
            set_number(page, key, value)
    reset(page)
    run_to(page, setup.day)


def draw_figure(path: Path = FIGURE) -> None:
    """Follow the intro in the served app at FIGURE_SIZE and save the screenshot, stamped
    with the numbers it shows, once they are the lesson's."""
    from .browser import offline_page, open_app, serve_app

    want = figure_numbers()
    with serve_app() as url, offline_page(FIGURE_SIZE) as (page, record):
        open_app(page, url)
        follow(page, INTRO)
        page.wait_for_timeout(300)
        shown = page_numbers(page)
        if shown != want["sides"]:
            raise RuntimeError(f"the page shows {shown}, the lesson says {want['sides']}")
        png = page.screenshot()
        if record["blocked"] or record["errors"]:
            raise RuntimeError(f"the page asked beyond localhost or failed: {record}")
    path.write_bytes(png_with_text(png, STAMP, json.dumps(want, sort_keys=True)))


def png_with_text(png: bytes, key: str, text: str) -> bytes:
    """``png`` with a tEXt chunk (key, text; Latin-1) before its IEND chunk."""
    data = key.encode("latin-1") + b"\0" + text.encode("latin-1")
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    end = png.rindex(b"IEND") - 4
    return png[:end] + chunk + png[end:]


def png_texts(png: bytes) -> dict:
    """A PNG's tEXt chunks as {key: text}."""
    out, pos = {}, 8
    while pos + 8 <= len(png):
        (size,), kind = struct.unpack(">I", png[pos : pos + 4]), png[pos + 4 : pos + 8]
        if kind == b"tEXt":
            key, _, text = png[pos + 8 : pos + 8 + size].partition(b"\0")
            out[key.decode("latin-1")] = text.decode("latin-1")
        pos += 12 + size
    return out


def figure_is_current(path: Path = FIGURE) -> bool:
    stamp = png_texts(path.read_bytes()).get(STAMP) if path.exists() else None
    return stamp is not None and json.loads(stamp) == figure_numbers()


# ---------------------------------------------------------------- the document


def write() -> str:
    i, m, ap, lo, en, la, sk = (SETUPS[k].result for k in SETUPS)
    none, ban, tr = (policy_style(p)[0] for p in ("none", "ban", "transparency"))
    A, B = "A", "B"
    ma, mb, apb = m.c(0, A), m.c(0, B), ap.c(0, B)
    lo_a0, lo_a1, lo_b0, lo_b1, en_a1 = lo.c(0, A), lo.c(1, A), lo.c(0, B), lo.c(1, B), en.c(1, A)
    la_a1, sk_a1 = la.c(1, A), sk.c(1, A)
    mb_efp, apb_efp = mb["impressions_earned_from_paid"], apb["impressions_earned_from_paid"]
    amp_hired = scenario_campaigns("paid_amplifiers")[0].amplifiers.per_1000_users
    times = DEFAULTS["budget_a"] / DEFAULTS["budget_b"]
    ratio = (
        {1: "the same budget as", 2: "twice", 3: "three times", 4: "four times"}.get(
            times, f"{times:g} times"
        )
        if times >= 1
        else f"{times:.2g} times"
    )
    return f"""<!-- Generated by `python -m sim.classroom.lesson` from the model: do not edit by hand.
     Edit sim/classroom/lesson.py and run it again (tests/test_app.py fails when this file is stale). -->
# In the classroom: watching paid and organic reach spread

## Classroom app

```bash
./app.sh                  # sets up .venv with the app's packages (first time; see README), serves the app
# then open http://127.0.0.1:8765 ; no internet needed.  Inside the venv: python -m sim app [--port P]
./app.sh --host 0.0.0.0   # a class on their own laptops: see "A class on one laptop" below
```

The page runs with no internet: everything the browser loads comes from the local installation
(the `viz` extra pins `solara-assets`, which holds Solara's front-end files), and the charts are
plain SVG drawn by the server. `tests/test_app.py` checks this in headless Chromium with every
non-localhost request blocked.

![{FIGURE_ALT}](figures/app.png)

*The defaults after **{BUTTON_RUN}** {INTRO.day}, at {FIGURE_SIZE[0]}x{FIGURE_SIZE[1]}: with {none},
{pct(i.keys[0]["money_share"])} of the political reach was bought; under the {ban},
{pct(i.keys[1]["money_share"])}. (`python -m sim.classroom.lesson --figure` redraws it from
the intro's set-up below, and `--check` fails while it shows other numbers.)*

What is on the screen:
- **Day counter and buttons.** **Step** moves one day, **Play** / **Stop** run day after day at
  the *Play speed* chosen, **{BUTTON_RUN}** jumps to the day in the box next to it.
  **{BUTTON_RESET}** builds the model again with the settings on the left: settings do nothing until
  then, and the page says *Settings changed: press Reset to apply them* when they differ from the
  running model's. **{BUTTON_DEFAULTS}** (above the settings) puts every setting back to its start value.
  A click made while a day or a Reset computes waits and runs next (one: a further one is
  not applied, and the page says so for a few seconds), so a Reset right after a new scenario
  applies it. During Play and Run every button but **Stop** is disabled. **{BUTTON_RUN}** only
  goes forward: to an earlier
  day it says so (press **{BUTTON_RESET}** to start again). A new *Play speed* applies at once,
  also while playing. Play never runs ahead of what a pupil's screen shows (at most the day
  being drawn), so on a slow laptop *as fast as possible* is as fast as that laptop draws, and
  **Stop** stops at the day on the screen. In a tab in the background, where browsers draw
  nothing, Play waits up to a second for each day, leaving the shared server to the tabs in view.
- **Presentation** (at the top of the settings, for a projector) hides the settings and shows
  the key numbers, the two networks and two charts (money share, vote share) in large type,
  all on one screen at 1024x768: the key numbers at 20 px, the money share at 36 px, the day
  at 30 px, chart text at ~16 px, each network ~250 px high. **Exit presentation** (in the
  toolbar) brings the settings back.
- **Key numbers, one box per regime**: the money share of political reach so far, impressions so
  far of A, B and all campaigns, A's expected vote share and its change since day 0, and how many
  users saw paid and organic content today.
- **Two networks, side by side.** The same users and follower graph (same seed) under the regime
  chosen in *Regime (left)* and the one in *Compare with (right)*; they step together. Choose
  `off` in *Compare with (right)* to run one regime only. Dot colour is the user's current
  opinion (colour bar: purple = left, green = right). An **orange ring** means the user saw paid
  content today: an ad, a paid poster's post, or a reshare of either. A **blue ring** means the
  user saw organic content today: a campaign account's own post or a reshare of one. Squares are
  campaign accounts (A, B, and civic or foreign pages), diamonds are paid posters (ordinary users
  paid per post, "amplifiers"), triangles are sockpuppets, and an x marks a suspended account.
- **Counters, per regime and campaign**: impressions by origin (ad, owned accounts, paid
  amplifiers, earned from paid, earned from organic) and in all, money share, dollars spent and
  the budget, paid posters recruited, accounts suspended, reshares, and the change in expected
  vote share. The definitions of the origins and of money share are printed under the table.
- **Charts**: impressions per day by origin for each regime (one y scale for both), the money
  share of political reach day by day, and A's expected vote share (its axis is zoomed in, so
  read the numbers before comparing heights).
- **Data** tab: the day-by-day table (one row per regime, day and campaign) and a CSV download.
  **About** tab: the model, the controls, the rings and colours in plain words.

Settings: *Scenario* (choosing one loads its campaigns' names, budgets and appeals), the two
regimes, the budgets of A and B (US$ per 1,000 users over the run; each slider's range fits the
scenario), the appeal of their messages, ad targeting, feed ranking (the rankers in
`sim/conf/ranking/`), users, seed, persuasion per exposure, mean skepticism, the effect of a
"paid" label, the daily chance that enforcement catches a coordinated account, and days. Every
value shows in a box next to its slider, and you can type into the box: the value applies when
you press Enter or leave the box, and a value outside the control's range is not applied; a
note under the box gives the range. The About tab explains every scenario and every regime
(the menus show them by plain names; the config files are in `sim/conf/scenario/` and
`sim/conf/policy/`).

Budgets are per 1,000 users, so a scenario means the same thing at any size; so are paid
posters (the *{choice_text("scenario_name", "paid_amplifiers")}* scenario hires {amp_hired:g}
per 1,000 users and pays them per 1,000 of their followers), so the lesson's small network
shows the loophole as a large one would.

## A class on one laptop

`./app.sh --host 0.0.0.0` (or `python -m sim app --host 0.0.0.0`) serves the app to the local
network: students open `http://<the teacher's machine's address>:8765` in their own browsers.
Each tab gets its own model and its own settings; nothing one student does shows on another's
page. What this exposes to anyone who can reach that port: the page and its static files
(Solara's front end, from the installed packages) and one websocket per tab through which
that tab's model is built and stepped with the settings on the page (the server checks every
value against the control's range: at most 1,000 users and 60 days). No files, no commands, no
login, nothing from the rest of the project. Use it on a classroom network, not on the open
internet, and stop it (Ctrl-C) after the lesson. A closed tab's model is freed at once; a tab
that vanishes without closing (a laptop put to sleep) keeps its model for 2 minutes, then it
is freed too.

{LOAD}

## A 45-minute lesson

Every number below is computed by `python -m sim.classroom.lesson` from the app's own model with
exactly the settings given (300 users, seed 0), and the page shows the same numbers when you
follow the steps. Each experiment starts from **{BUTTON_DEFAULTS}**, so none depends on what was
done before. A class that changes the *Seed* sees other numbers with, as a rule, the same pattern.

### 0–5 min: what are we looking at?

{INTRO.instructions(capital=True)}. (Or press **Play** and watch.) Ask:
- *How can a political message reach you?* Someone paid for it (an ad, or a person paid to
  post it), or someone you follow posted or reshared it.
- *Look at the rings: who sees paid content, and who sees organic content?*

On day 20 the two sides differ plainly. With {none}, {n(i.keys[0]["total"])} impressions
(political and civic) reached users, and {pct(i.keys[0]["money_share"])} of the political ones
were bought (money share). Under the {ban}, {n(i.keys[1]["total"])} impressions reached users and
{pct(i.keys[1]["money_share"])} of the political ones were bought. On the ban side the few orange
rings are the civic "Vote" campaign's ads ({n(i.c(1, "Vote")["impressions_ad"])} ad impressions):
non-partisan ads stay allowed, as in Twitter's 2019 ban.

### 5–17 min: Experiment 1, money versus appeal

{MONEY.instructions(capital=True)}. A has {ratio} B's budget ({usd0(DEFAULTS["budget_a"])} vs
{usd0(DEFAULTS["budget_b"])} per 1,000 users), and their messages have equal appeal.

- *Who is seen more? Where does each candidate's reach come from?* (the counters table)
  Observed: A {n(ma["impressions"])} impressions ({pct(m.share(0, A))} of all), B
  {n(mb["impressions"])} ({pct(m.share(0, B))}). A's money share is {pct(ma["money_share"])}:
  {n(ma["impressions_ad"])} of its impressions are ads and {n(ma["impressions_earned_from_paid"])}
  came from reshares of its ads (earned from paid). B's money share is {pct(mb["money_share"])}. A spent
  {usd(ma["spend"])} of its {usd(ma["budget"])}, B {usd(mb["spend"])} of {usd(mb["budget"])}.

Now make B's messages twice as engaging: {APPEAL.instructions()}.

- *Can appeal make up for money?*
  Observed: B's impressions {change(mb["impressions"], apb["impressions"], plural=True)}
  ({pct(ap.share(0, B))} of all), A has {n(ap.c(0, A)["impressions"])}. B's reshares
  {change(mb["reshares"], apb["reshares"], plural=True)}, and its earned impressions (reshares of its ads and
  posts) {
        change(
            mb["impressions_earned_from_paid"] + mb["impressions_earned_from_organic"],
            apb["impressions_earned_from_paid"] + apb["impressions_earned_from_organic"],
            plural=True,
        )
    }. Its ads are
  reshared {more(apb_efp, mb_efp, "more", "less", "as much")}
  too (earned from paid {change(mb_efp, apb_efp)}),
  so B's money share {change(mb["money_share"], apb["money_share"], pct)}: people amplify
  engaging messages for free, paid or not.
- *Did the votes move?* Hardly. A's vote share changed by {pp(ma["vote_share_change"])}
  percentage points in the first run and by {pp(ap.c(0, A)["vote_share_change"])} in the second.
  This is in line with field experiments, where one ad exposure changes vote choice by a tiny
  amount. (*{CONTROL["persuasion"].label}* lets you ask "what if ads were far more persuasive?")

### 17–30 min: Experiment 2, the ban and the paid-poster loophole

{LOOPHOLE.instructions(capital=True)}. Choosing the scenario loads its budgets ($90 per 1,000
users each). A pays supporters with large followings (the diamonds) to post
identical, undisclosed copies of its messages; if ads are banned, A moves its ad money to more of
them. B only buys ads.

- *Which candidate does the ban hurt?*
  Observed: with {none}, A has {n(lo_a0["impressions"])} impressions ({pct(lo.share(0, A))} of all)
  and B {n(lo_b0["impressions"])} ({pct(lo.share(0, B))}). Under the {ban}, B's ads are gone and B
  has {n(lo_b1["impressions"])} impressions ({pct(lo.share(1, B))}). A has {n(lo_a1["impressions"])}
  ({pct(lo.share(1, A))}): {n(lo_a1["impressions_amplified"])} of them from paid posters
  ({n(lo_a0["impressions_amplified"])} with no rules). A's money share under the ban is
  {pct(lo_a1["money_share"])}. A had {n(lo_a1["amplifiers"])} paid posters instead of
  {n(lo_a0["amplifiers"])}, and spent {usd(lo_a1["spend"])} of its {usd(lo_a1["budget"])}.
- *Is the ban's "no political ads" the end of paid reach?* No. On the ban side the money share
  of all political reach is {pct(lo.keys[1]["money_share"])}: the money moved from ads into people.
- Now raise enforcement: {ENFORCED.instructions()}. (The ban turns on enforcement against
  coordinated identical posting.) *What does enforcement change?*
  Observed: under the ban {n(en_a1["accounts_suspended"])} of A's accounts are suspended (x marks),
  against {n(lo_a1["accounts_suspended"])} at the default rate of {DEFAULTS["detection"]:g}. A's
  paid posters' impressions
  {change(lo_a1["impressions_amplified"], en_a1["impressions_amplified"], plural=True)}
  and its total {change(lo_a1["impressions"], en_a1["impressions"])}, and A still has
  {pct(en.share(1, A))} of all impressions. Catching some paid posters does not undo the
  advantage. This is the 2020 case in miniature: a campaign paid hundreds of "field organizers"
  to post copy-paste messages, and the platform suspended only some of them.

### 30–40 min: Experiment 3, labels and skepticism

{LABELS.instructions(capital=True)}. The right side now has "paid for by" labels on ads and a
public ad library ({tr}).

- *Do labels change anything?* With the default skepticism (mean {DEFAULTS["skepticism"]:g}) and a
  mild label effect ({DEFAULTS["label_effect"]:g}), little. A has {n(la.c(0, A)["impressions"])}
  impressions with {none} and {n(la_a1["impressions"])} with labels; its ad impressions are
  {n(la.c(0, A)["impressions_ad"])} and {n(la_a1["impressions_ad"])}; the money share of
  political reach is {pct(la.keys[0]["money_share"])} and {pct(la.keys[1]["money_share"])}.
- Now make users distrust labeled content: {SKEPTICS.instructions()}.
  *What happens?*
  Observed: on the {tr} side A's ad impressions
  {change(la_a1["impressions_ad"], sk_a1["impressions_ad"], plural=True)}
  ({relative(la_a1["impressions_ad"], sk_a1["impressions_ad"])}),
  its total {change(la_a1["impressions"], sk_a1["impressions"])}.
  The money share of political reach {change(la.keys[1]["money_share"], sk.keys[1]["money_share"], pct)}.
  The {none} side is unchanged, since nothing is labeled there.
- *Why did A's ads reach only a few {more(sk_a1["impressions_ad"], la_a1["impressions_ad"])} people,
  when users distrust them?* The platform's auction ranks ads by bid × predicted engagement.
  A label that skeptical users discount lowers the predicted engagement, so each impression
  costs A more; but a feed has many ad slots a day, and A keeps buying at the higher price
  until its budget is spent. Labels act through the market only as far as the price rises;
  money still buys reach. A's vote share still barely moves
  ({pp(sk_a1["vote_share_change"])} points with labels, {pp(sk.c(0, A)["vote_share_change"])} without).

### 40–45 min: wrap-up

- Where did money buy reach, and where did it not? (Ads buy reach, and appeal can partly match
  them. A ban removes ads but not paid people. Labels raise the price of ad reach a little;
  the budget still buys most of it.)
- Why do the vote shares hardly move even when reach changes a lot? (In the model each
  exposure moves an opinion by a small step, {DEFAULTS["persuasion"]:g} by default, and only when
  the message is close enough to the reader's opinion: bounded confidence.)
- What would you measure in the real world to tell which world we live in? (Ad libraries,
  coordinated posting, reshare chains.)

Change the *Seed* and repeat one experiment: the numbers change, and as a rule the patterns hold.
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.classroom.lesson", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the doc or its figure is not current")
    parser.add_argument(
        "--figure", action="store_true", help=f"also redraw {FIGURE.name} in the served app (needs chromium)"
    )
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args(argv)
    broken = check_claims()
    if broken:
        print(
            "error: the lesson's text no longer matches the model; these claims fail:\n  - "
            + "\n  - ".join(broken)
            + "\nrewrite those passages in sim/classroom/lesson.py",
            file=sys.stderr,
        )
        return 1
    text = reflow(write())
    if args.check:
        current = args.out.exists() and args.out.read_text() == text
        print(f"{args.out}: {'current' if current else 'STALE: run python -m sim.classroom.lesson'}")
        drawn = figure_is_current()
        print(f"{FIGURE}: {'current' if drawn else 'STALE: run python -m sim.classroom.lesson --figure'}")
        return 0 if current and drawn else 1
    args.out.write_text(text)
    print(f"wrote {args.out}")
    if args.figure:
        draw_figure()
        print(f"wrote {FIGURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
