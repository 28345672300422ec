"""The classroom app: the model and the drawings behind it (fast, no browser), the lesson plan
(generated from the model, checked to be current), and the served page in headless Chromium with
every non-localhost request blocked.

The browser tests need Debian's chromium (/usr/bin/chromium, or SIM_CHROMIUM) and playwright
(the dev extra); sim/classroom/browser.py drives the page. Without chromium they are skipped
locally and FAIL in CI (CI=true), where .ci/run installs it. They print click-to-redraw times
(a benchmark, not an assertion). ``python -m sim.classroom.lesson --figure`` redraws the
screenshot in the docs.
"""

from __future__ import annotations

import csv
import html
import io
import math
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from sim.classroom import draw, lesson
from sim.classroom.browser import (
    CHROMIUM,
    LOCAL,
    offline_page,
    open_app,
    reset,
    run_to,
    select_option,
    serve_app,
    set_number,
    shown_day,
    wait_drawn,
)
from sim.classroom.model import (
    BUTTONS,
    CHOICES,
    CONTROL,
    COUNTERS,
    DEFAULTS,
    RANKINGS,
    REGIME_TEXT,
    SCENARIO_TEXT,
    ClassroomModel,
    apply_setting,
    campaign_counters,
    choice_text,
    classroom_config,
    control_range,
    day_numbers,
    policy_style,
    scenario_settings,
    seen_today,
    steps_frame,
)
from sim.config import ConfigError
from sim.configure import CONF_DIR

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- the model (no browser)


def test_regimes_start_identical_and_step_together():
    m = ClassroomModel(policy="none", compare="ban", n=200, seed=3)
    a, b = m.runs
    assert m.regimes == ["none", "ban"]
    np.testing.assert_array_equal(a.population.ideology, b.population.ideology)
    np.testing.assert_array_equal(a.population.opinion, b.population.opinion)
    assert (a.follows.users != b.follows.users).nnz == 0
    layout = m.layout.copy()
    assert layout.shape == (a.population.size, 2) and np.isfinite(layout).all()
    assert layout.min() >= 0 and layout.max() <= 1
    # left of the picture = left of the ideology scale
    assert np.corrcoef(layout[: a.n, 0], a.population.ideology[: a.n])[0, 1] > 0.3
    for _ in range(3):
        m.step()
    assert a.steps == b.steps == m.day == 3
    np.testing.assert_array_equal(m.layout, layout)  # the picture does not move
    # The ban removes political ads (civic ads stay): candidates A and B get no ad impressions.
    t = b.metrics.steps_table()
    assert t["impressions_ad"][np.isin(t["campaign"], ["A", "B"])].sum() == 0
    assert a.metrics.steps_table()["impressions_ad"].sum() > 0
    # A Reset that keeps the users keeps the picture (the layout is computed once per graph).
    np.testing.assert_array_equal(ClassroomModel(policy="cap", n=200, seed=3).layout, layout)


def test_numbers_agree_with_the_impression_log():
    m = ClassroomModel(compare="off", n=300, seed=1)
    for _ in range(4):
        m.step()
    (run,) = m.runs
    log = run.log["impressions"][-1]
    is_paid = np.isin(log["origin"], [0, 2, 3])  # ad, amplified, earned_from_paid
    d = day_numbers(run)
    assert (d["day"], d["impressions"], d["paid"]) == (4, len(log["users"]), is_paid.sum())
    paid, organic = seen_today(run)
    assert paid.sum() == len(np.unique(log["users"][is_paid]))
    assert organic.sum() == len(np.unique(log["users"][~is_paid]))


def test_counters_are_the_run_summary():
    """The counters on screen are SimModel.summary()'s, and add up as the definitions say."""
    m = ClassroomModel(scenario_name="paid_amplifiers", compare="ban", budget_a=180, n=300)
    for _ in range(6):
        m.step()
    for run in m.runs:
        counters = campaign_counters(run)
        summary = run.summary()["campaigns"]
        assert [c["campaign"] for c in counters] == [c.cfg.name for c in run.campaigns]
        for c, s in zip(counters, summary):
            assert c == {k: s[k] for k in c}
            origins = [
                c[f"impressions_{o}"]
                for o in ("ad", "owned", "amplified", "earned_from_paid", "earned_from_organic")
            ]
            assert sum(origins) == c["impressions"]
            paid = c["impressions_ad"] + c["impressions_amplified"] + c["impressions_earned_from_paid"]
            assert c["money_share"] == pytest.approx(paid / c["impressions"])
        steps = run.metrics.steps_table()
        a = steps["campaign"] == "A"
        assert counters[0]["impressions"] == steps["impressions"][a].sum()
        assert counters[0]["spend"] == pytest.approx(steps["spend"][a].sum())
    assert campaign_counters(m.runs[1])[0]["amplifiers"] > campaign_counters(m.runs[0])[0]["amplifiers"]


def test_defaults_show_paid_versus_organic_within_20_days():
    """The app's defaults (two_party, 300 users, none vs ban) must show the difference fast.
    Since the default world has news pages and users posting about the race, over seeds 0-9
    the money share of political reach after 20 days without rules was 0.27-0.39 (mean 0.31,
    sd 0.03), so 0.2 is > 3 sd below; under the ban it is exactly 0 (no political ads and no
    paid amplifiers in two_party)."""
    m = ClassroomModel()
    for _ in range(20):
        m.step()
    none, ban = (day_numbers(r) for r in m.runs)
    assert none["money_share"] > 0.2
    assert ban["money_share"] == 0
    assert none["total"] > 1.2 * ban["total"]  # seeds 0-9: ratio 1.32-1.58


def test_model_stops_at_the_last_day():
    m = ClassroomModel(compare="off", n=100, days=10)
    for _ in range(10):
        assert m.running
        m.step()
    assert not m.running


def test_bad_settings_give_one_line():
    settings = {k: v for k, v in DEFAULTS.items() if k != "compare"}
    with pytest.raises(ConfigError, match=r"^skepticism = 1\.0: must be in \(0, 1\)$"):
        classroom_config(**{**settings, "skepticism": 1.0})
    with pytest.raises(ConfigError, match=r"^population\.n = 5: must be an integer in \[10,"):
        ClassroomModel(n=5)
    with pytest.raises(ConfigError, match=r"unknown classroom setting\(s\) \['budget_c'\]"):
        ClassroomModel(budget_c=3)


def test_choices_come_from_the_configs():
    """Rankers, regimes and scenarios are read from sim/conf (a new YAML appears in the app)."""
    assert RANKINGS == tuple(sorted(p.stem for p in (CONF_DIR / "ranking").glob("*.yaml")))
    assert {"engagement", "chronological"} <= set(RANKINGS)
    assert CHOICES["compare"][-1] == "off"
    assert policy_style("ban") == ("ad ban", "#009E73")
    assert policy_style("none")[0] == "no rules"


def test_plain_names_and_about_explains_every_regime():
    """Menus show plain names (not file names); the About tab explains every regime and every
    scenario, and defines money share as the key number computes it (political campaigns)."""
    from sim.classroom.app import about_html

    about = about_html()
    for regime in CHOICES["policy"]:
        assert REGIME_TEXT.get(regime), f"no plain explanation of regime {regime!r}"
        assert f'<li data-regime="{regime}"><b>{choice_text("policy", regime)}</b>: ' in about
    for name in CHOICES["scenario_name"]:
        plain = choice_text("scenario_name", name)
        assert plain != name and "_" not in plain and len(plain) <= 25, name  # fits the menu
        assert f'data-scenario="{name}"' in about and html.escape(SCENARIO_TEXT[name][1]) in about
    assert choice_text("compare", "ban") == "ad ban"
    assert "political campaigns" in about and "civic" in about  # day_numbers' denominator
    assert "same as no rules" in REGIME_TEXT["no_embedding"]


def test_typed_values_are_checked_not_clamped():
    from sim.classroom.app import typed_value

    assert typed_value("0.9", 0.05, 0.95, False) == (0.9, "")
    assert typed_value("500", 100, 1000, True) == (500, "")
    v, note = typed_value("1.2", 0.05, 0.95, False)
    assert v is None and "from 0.05 to 0.95" in note
    assert typed_value("", 0, 1, False)[0] is None and typed_value("2.5", 1, 60, True)[0] is None
    # a menu takes only its choices (with --host 0.0.0.0 anyone on the network sends values)
    from sim.classroom import app

    before = dict(app.settings.value)
    app.set_setting("scenario_name", "../../../etc/passwd")
    assert app.settings.value == before


def test_choosing_a_scenario_loads_its_campaigns():
    s = apply_setting(DEFAULTS, "budget_a", 100.0)
    s = apply_setting(s, "scenario_name", "optimizer_2016")
    assert scenario_settings("optimizer_2016")["names"] == ("Optimiser", "Broadcaster")
    assert (s["budget_a"], s["budget_b"]) == (44.0, 28.0)  # the scenario's, not the slider's
    assert apply_setting(s, "scenario_name", "optimizer_2016") == s  # same scenario: kept
    for name in CHOICES["scenario_name"]:
        for key in ("budget_a", "budget_b", "appeal_a", "appeal_b"):
            lo, hi = control_range(key, name)
            assert lo <= scenario_settings(name)[key] <= hi / 2, (name, key)
    with pytest.raises(ConfigError, match="'budget_c' is not a control"):
        apply_setting(DEFAULTS, "budget_c", 1)


def test_day_by_day_table():
    m = ClassroomModel(n=150, days=10)
    for _ in range(3):
        m.step()
    table = steps_frame(m)
    assert len(table) == 2 * 3 * len(m.runs[0].campaigns)
    assert list(table["regime"].unique()) == ["none", "ban"]
    assert table.columns[0] == "regime" and "impressions_earned_from_paid" in table.columns


# ---------------------------------------------------------------- drawings (no browser)


def test_axis_ticks_read_plainly():
    """No offset notation (the old vote axis read '+4.955e1' over ticks 0.0065-0.0080)."""
    ticks, step = draw.nice_ticks(49.55, 49.58)
    labels = [draw.tick_label(v, step) for v in ticks]
    assert labels[0].startswith("49.5") and all(re.fullmatch(r"49\.\d{2,3}", x) for x in labels)
    assert draw.tick_label(2500, 500) == "2,500"
    assert [draw.tick_label(v, 0.25) for v in (0, 0.25, 0.5)] == ["0.00", "0.25", "0.50"]
    m = ClassroomModel(n=120, days=10)
    for _ in range(2):
        m.step()
    svg = draw.lines_chart(
        [("x", 100 * draw.vote_series(m.runs[0]), "#000", False)],
        10,
        draw.vote_limits([draw.vote_series(m.runs[0])], 0.4956),
        "t",
        "%",
        "sim-vote",
        2,
    )
    texts = re.findall(r">([^<>]*)</text>", svg)
    assert texts and not [t for t in texts if re.search(r"\de[+-]?\d", t)], texts
    assert f'font-size="{draw.FONT}"' in svg and draw.FONT >= 11


def test_network_picture_marks_who_saw_what():
    m = ClassroomModel(compare="off", n=200, seed=2)
    m.step()
    (run,) = m.runs
    picture = draw.NetworkPicture(m.layout, run.n)
    svg = picture.nodes(run, 1)
    paid, organic = seen_today(run)
    ring_paid = re.search(rf'stroke="{draw.PAID_RING}"[^>]*>(.*?)</g>', svg)[1]
    ring_organic = re.search(rf'stroke="{draw.ORGANIC_RING}"[^>]*>(.*?)</g>', svg)[1]
    assert ring_paid.count("<circle") == paid.sum() > 0
    assert ring_organic.count("<circle") == organic.sum() > 0
    assert 'data-day="1"' in svg and ">A</text>" in svg and ">B</text>" in svg
    edges = draw.network_edges(run, m.layout)
    assert len(re.findall(r"M[\d.]+ [\d.]+L", edges)) == min(
        draw.MAX_EDGES, len(run.follows.users.data) + len(run.follows.follows_accounts.data)
    )


LABEL = re.compile(r'<text x="([\d.-]+)" y="([\d.-]+)" text-anchor="start">([^<]*)</text>')


@pytest.mark.parametrize("scenario", CHOICES["scenario_name"])
def test_every_scenario_is_drawn_readably(scenario):
    """The users fill the picture (a foreign operation's sockpuppets, which have no followers,
    once squeezed 300 users into a 60-px blob), and every campaign account's label lies inside
    the picture, clear of the others (they overlapped in incumbent_challenger; 'Optimiser' was
    cut at the right edge). The spread bounds: a well-drawn 300-user picture has an
    interquartile range of ~39 x ~16-19 drawing units (of 100 x 70); the blob had ~10 x ~8."""
    m = ClassroomModel(**{**apply_setting(DEFAULTS, "scenario_name", scenario), "compare": "off"})
    (run,) = m.runs
    pts = draw._points(m.layout)
    assert (pts >= 0).all() and (pts[:, 0] <= draw.NET_W).all() and (pts[:, 1] <= draw.NET_H).all()
    users = pts[: run.n]
    iqr = np.percentile(users, 75, 0) - np.percentile(users, 25, 0)
    assert iqr[0] > 0.3 * draw.NET_W and iqr[1] > 0.18 * draw.NET_H, iqr
    svg = draw.NetworkPicture(m.layout, run.n).nodes(run, 0)
    labels = LABEL.findall(svg)
    assert sorted(t for *_, t in labels) == sorted(c.cfg.name for c in run.campaigns)
    h = draw.LABEL_FONT
    boxes = [
        (float(x), float(y) - 0.8 * h, float(x) + draw.label_width(t), float(y) + 0.2 * h)
        for x, y, t in labels
    ]
    for (x0, y0, x1, y1), (*_, t) in zip(boxes, labels):
        assert 0 <= x0 and x1 <= draw.NET_W and 0 <= y0 and y1 <= draw.NET_H, (t, x0, x1)
    for i, a in enumerate(boxes):
        for b in boxes[:i]:
            assert draw._overlap(a, b) == 0, (labels[i], labels[boxes.index(b)])


def test_counters_table_shows_the_counters():
    m = ClassroomModel(n=150, days=10)
    m.step()
    counters = [campaign_counters(r) for r in m.runs]
    table = draw.counters_table(m.regimes, ["no rules", "ad ban"], ["#000", "#0a0"], counters)
    for regime, camps in zip(m.regimes, counters):
        for c in camps:
            row = re.search(rf'<tr data-regime="{regime}" data-campaign="{c["campaign"]}">(.*?)</tr>', table)[
                1
            ]
            cells = dict(re.findall(r'<td data-key="(\w+)">(.*?)</td>', row))
            assert cells == {k: draw.fmt_counter(k, c[k]) for k, _ in COUNTERS}
    assert draw.fmt_counter("money_share", 0.804) == "80%"
    assert draw.fmt_counter("vote_share_change", math.nan) == "–"


# ---------------------------------------------------------------- the lesson plan


def test_lesson_names_real_controls_and_starts_each_experiment_from_defaults():
    for name, setup in lesson.SETUPS.items():
        scenario = setup.settings["scenario_name"]
        for key, value in setup.changes:
            control = CONTROL[key]  # KeyError: the lesson names a control that does not exist
            if control.kind == "choice":
                assert value in CHOICES[key], (name, key, value)
            else:
                lo, hi = control_range(key, scenario)
                assert lo <= value <= hi, (name, key, value)
        text = setup.instructions()
        assert text.startswith("press **Defaults**") and "**Reset**" in text, name
    assert (lesson.BUTTON_DEFAULTS, lesson.BUTTON_RUN, lesson.BUTTON_RESET) == (
        "Defaults",
        "Run to day",
        "Reset",
    )


@pytest.mark.integration
def test_lesson_doc_is_current_and_its_story_holds(capsys):
    """docs/classroom.md is what ``python -m sim.classroom.lesson`` writes from today's model,
    and the claims its text rests on hold. After a model change: run that command, commit."""
    assert lesson.check_claims() == []
    assert lesson.main(["--check"]) == 0, capsys.readouterr().out


# ---------------------------------------------------------------- the page in a browser


SLOW_BROWSER = 6  # the browser's CPU this many times slower (a pupil's laptop)


def settled_day(page, still_ms: int = 1500, timeout_s: float = 30) -> int:
    """The day shown once it has not changed for ``still_ms``: every click of a burst has been
    handled (the server takes the clicks one at a time; on a slow machine a burst of 15 took
    over 1.5 s, CI 2026-12-04), including a waiting one whose day follows the first's too fast
    to see."""
    deadline, day, since = time.monotonic() + timeout_s, shown_day(page), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)
        now = shown_day(page)
        if now != day:
            day, since = now, time.monotonic()
        elif time.monotonic() - since >= still_ms / 1000:
            break
    return day


def click_to_redraw(page, clicks: int = 10) -> list[float]:
    """Milliseconds from a click on Step (the page's clock, at the click event) to the frame
    where the day counter, the key numbers, both networks and all charts show the new day."""
    page.evaluate(
        "document.addEventListener('click', e => { if (e.target.closest('.sim-step')) "
        "window.__clicked = performance.now(); }, true)"
    )
    times = []
    for _ in range(clicks):
        day = shown_day(page) + 1
        page.locator(".sim-step").click()
        times.append(wait_drawn(page, day) - page.evaluate("window.__clicked"))
        page.wait_for_timeout(300)  # as a person would: look, then click
    return times


def page_counters(page) -> dict:
    """The counters table as {(regime, campaign): {counter: text}}."""
    rows = page.eval_on_selector_all(
        ".sim-counters tr[data-regime]",
        """rows => rows.map(r => [
        r.dataset.regime, r.dataset.campaign,
        Object.fromEntries([...r.querySelectorAll('td')].map(td => [td.dataset.key, td.innerText]))])""",
    )
    return {(r, c): cells for r, c, cells in rows}


def expected_counters(settings: dict, day: int) -> dict:
    m = ClassroomModel(**settings)
    for _ in range(day):
        m.step()
    return {
        (regime, c["campaign"]): {k: draw.fmt_counter(k, c[k]) for k, _ in COUNTERS}
        for regime, run in zip(m.regimes, m.runs)
        for c in campaign_counters(run)
    }


def _chromium_or_fail():
    """Skip locally without a browser; in CI (CI=true) a missing browser is a failure."""
    try:
        import playwright  # noqa: F401

        missing = None if Path(CHROMIUM).exists() else f"no chromium at {CHROMIUM}"
    except ImportError:
        missing = "playwright is not installed (pip install -e .[dev])"
    if missing:
        msg = f"{missing} (apt-get install chromium, or set SIM_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


def in_view(page, selector: str) -> bool:
    """The element's box lies inside the viewport (above the fold)."""
    box = page.locator(selector).first.bounding_box()
    vp = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= vp["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= vp["width"]
    )


@pytest.mark.integration
@pytest.mark.alone
def test_app_in_offline_browser(tmp_path):
    _chromium_or_fail()
    with serve_app() as url, offline_page((1024, 768)) as (page, record):
        open_app(page, url)
        assert shown_day(page) == 0
        # Mesa's controls are gone; the day, the buttons and the key numbers are above the fold.
        body = page.inner_text("body")
        for gone in (
            "Use Threads",
            "Render Interval",
            "PAGE 0",
            "This website runs on",
        ):  # Solara's badge covered the charts' axes
            assert gone.lower() not in body.lower()
        for sel in (
            ".sim-day",
            ".sim-step",
            ".sim-reset",
            ".sim-key-0 .sim-money-share",
            ".sim-key-1 .sim-money-share",
            ".sim-key-1 .sim-total-b",
        ):
            assert in_view(page, sel), sel
        for name in BUTTONS:  # the buttons the lesson names (Stop shows while playing)
            assert name == "Stop" or page.get_by_role("button", name=name, exact=True).is_visible(), name
        # Every control the lesson names is on the page (the default scenario's names).
        side = page.inner_text(".sim-side")
        for setup in lesson.SETUPS.values():
            for key, _ in setup.changes:
                assert CONTROL[key].text(("A", "B")) in side, key
        # Chart text is at least 11 px where it is drawn.
        font_px = page.eval_on_selector(
            "svg.sim-origins",
            f"""s => s.getBoundingClientRect().width
            / {draw.CHART_W} * {draw.FONT}""",
        )
        assert font_px >= 11, font_px

        # Benchmark: click to full redraw at the default 300 users.
        times = {300: click_to_redraw(page)}

        # 15 clicks at once: a click made while a day computes waits (one at most), the others
        # are not applied and the page says so; none is lost silently.
        day = shown_day(page)
        page.evaluate(  # every note the page shows meanwhile (a later click that acts clears it)
            "window.__notes = []; new MutationObserver(ms => ms.forEach(m => [...m.addedNodes, m.target]"
            ".forEach(n => window.__notes.push(n.textContent || '')))).observe(document.body, "
            "{subtree: true, childList: true, characterData: true})"
        )
        page.eval_on_selector(".sim-step", "b => { for (let i = 0; i < 15; i++) b.click(); }")
        moved = settled_day(page) - day
        wait_drawn(page, day + moved)
        assert 1 <= moved <= 15, moved
        if moved < 15:
            notes = page.evaluate("window.__notes")
            assert any("not applied" in n for n in notes), (moved, notes[-5:])  # and it said so

        # Run to a day, then the counters equal an in-process model's with the same settings.
        run_to(page, 16)
        assert page_counters(page) == expected_counters(DEFAULTS, 16)
        keys = page.inner_text(".sim-key-0")
        m_keys = expected_keys(DEFAULTS, 16)
        assert f"{m_keys['total_a']:,}" in keys and f"{100 * m_keys['money_share']:.0f}%" in keys

        # CSV download of the day-by-day table.
        page.get_by_role("tab", name="Data").click()
        with page.expect_download() as got:
            page.get_by_text("Download the day-by-day table (CSV)").click()
        rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text())))
        names = {r["campaign"] for r in rows}  # every campaign of the default world, each day
        assert len(rows) == 2 * 16 * len(names) and {"A", "B", "Vote"} <= names
        assert rows[0]["regime"] == "none" and rows[-1]["step"] == "16"
        page.get_by_role("tab", name="Simulation").click()

        # A changed setting is flagged until Reset; choosing a scenario loads its budgets.
        select_option(page, "scenario_name", "paid_amplifiers")
        page.wait_for_selector(".sim-changed")
        assert page.input_value(".sim-control-budget_a input[type=number]") == "90"
        set_number(page, "budget_a", 180)
        set_number(page, "n", 1000)
        # The longest run the page allows: Play then runs 50 days past the clicks below, so it
        # cannot end (and Stop vanish) between reaching day start + 8 and the click on Stop; with
        # the default 30 days only 12 were left, which a fast machine played before the click.
        set_number(page, "days", 60)
        t0 = time.monotonic()
        page.locator(".sim-reset").click()
        page.wait_for_selector(".sim-busy", timeout=10_000)  # busy while the model is built
        assert page.locator(".sim-step").is_disabled()
        page.wait_for_selector(".sim-changed", state="detached", timeout=60_000)
        wait_drawn(page, 0)
        reset_s = time.monotonic() - t0

        # Benchmark at 1,000 users, then Play and Stop on a slower computer: the browser's CPU
        # throttled (Chrome's DevTools), so that it draws fewer days a second than the server
        # computes, as on a pupil's laptop beside a fast server.
        times[1000] = click_to_redraw(page)
        page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": SLOW_BROWSER})
        page.locator(".sim-speed").click()
        page.locator(".menuable__content__active .v-list-item", has_text="as fast as possible").click()
        start, t0 = shown_day(page), time.monotonic()
        page.locator(".sim-play").click()
        page.wait_for_selector(".sim-stop", timeout=10_000)  # Stop, while playing
        assert page.get_by_role("button", name=BUTTONS[2], exact=True).is_visible()
        page.wait_for_function(
            "n => parseInt(document.querySelector('.sim-day').innerText.split(' ')[1]) >= n",
            arg=start + 8,
            timeout=60_000,
        )
        # A pointer at Stop's centre reaches it (Play's disabled widget once kept pointer-events
        # off) ...
        centre = page.eval_on_selector(
            ".sim-stop",
            """b => { const r = b.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
            const hit = document.elementFromPoint(x, y);
            const reached = getComputedStyle(b).pointerEvents !== 'none' && !!hit && b.contains(hit);
            return reached ? [x, y] : null; }""",
        )
        assert centre
        # ... and a mouse click there stops the run, as a person's does. (Not locator.click():
        # its wait for the button to hold still over two animation frames took 0.4-0.5 s here
        # while the browser drew ~23 days a second, and on a slower CI machine outlasted the run.)
        page.evaluate(  # the day the page showed when the click happened
            "document.addEventListener('click', e => { if (e.target.closest('.sim-stop')) window.__stopDay = "
            "parseInt(document.querySelector('.sim-day').innerText.split(' ')[1]); }, true)"
        )
        page.mouse.click(*centre)
        clicked = page.evaluate("window.__stopDay")
        played = shown_day(page) - start
        rate = played / (time.monotonic() - t0)
        page.wait_for_selector(".sim-play", timeout=10_000)
        stopped = shown_day(page)
        page.wait_for_timeout(1500)
        assert shown_day(page) == stopped  # Stop stops
        # where the page showed it, though the browser draws fewer days a second than the server
        # computes: Play runs no further ahead of what the page has drawn than the day in flight
        # (Session.wait_drawn). So the page may go on to show that day, the day computed when
        # Stop arrives, and one more if the page drew a day while the click went to the server.
        # (Without the wait the server ran on to the last day, 60, with the page at day 30.)
        print(f"\nStop clicked at day {clicked}, stopped at day {stopped}")
        assert stopped - clicked <= 3, (clicked, stopped)
        settings = {
            **DEFAULTS,
            "scenario_name": "paid_amplifiers",
            "budget_a": 180.0,
            "budget_b": 90.0,
            "n": 1000,
            "days": 60,
        }
        assert page_counters(page) == expected_counters(settings, stopped)

        page.screenshot(path=str(tmp_path / "app.png"))
        assert "Traceback" not in page.inner_text("body")  # a server-side error shows here
        assert record["errors"] == []
        assert record["blocked"] == []
        assert [
            u for u in record["requests"] if not (LOCAL.match(u) or u.startswith(("data:", "blob:")))
        ] == []

    for users, t in times.items():
        print(
            f"\nclick-to-redraw at {users:,} users: median {statistics.median(t):.0f} ms "
            f"(min {min(t):.0f}, max {max(t):.0f}, {len(t)} steps)"
        )
    print(
        f"play, as fast as possible, 1,000 users: {rate:.1f} days/s; Reset to 1,000 users "
        f"(new scenario and budgets): {reset_s:.1f} s"
    )
    assert (tmp_path / "app.png").stat().st_size > 10_000


def type_like_a_person(page, selector: str, text: str, then: str = "Enter") -> None:
    """Click the box, select what is in it, type ``text`` at 150 ms a key (a person types
    150-400 ms a key), check that nothing rewrote the box meanwhile, then press ``then``."""
    box = page.locator(selector)
    box.click()
    box.press("Control+a")
    page.keyboard.type(text, delay=150)
    page.wait_for_timeout(300)  # the server has seen every keystroke
    assert box.input_value() == text, (selector, box.input_value())
    page.keyboard.press(then)


def number_box(key: str) -> str:
    return f".sim-control-{key} input[type=number]"


@pytest.mark.integration
@pytest.mark.alone
def test_typing_like_a_person():
    """Experiment 3 typed at a person's pace gives the lesson's numbers (each keystroke was
    once clamped and written back: skepticism "0.9" became 0.05, and the transparency side
    showed 998 impressions where the lesson says 812); a value out of range is not applied
    and a note gives the range; Run to an earlier day says why it does nothing."""
    _chromium_or_fail()
    with serve_app() as url, offline_page((1024, 768)) as (page, record):
        open_app(page, url)
        for key, text in (("budget_a", "120"), ("n", "500"), ("days", "45")):
            type_like_a_person(page, number_box(key), text, "Tab")
            page.wait_for_timeout(300)
            assert page.input_value(number_box(key)) == text, key
        page.wait_for_selector(".sim-changed")
        page.locator(".sim-defaults").click()
        page.wait_for_selector(".sim-changed", state="detached")
        assert page.input_value(number_box("n")) == "300"

        # Out of range: not applied, a note with the range, the setting kept.
        type_like_a_person(page, number_box("skepticism"), "1.2")
        note = page.locator(".sim-control-skepticism .sim-note")
        note.wait_for()
        assert "from 0.05 to 0.95" in note.inner_text()
        assert not page.locator(".sim-changed").count()  # nothing changed

        # Experiment 3 (SKEPTICS), typed.
        setup = lesson.SKEPTICS
        for key, value in setup.changes:
            if CONTROL[key].kind == "choice":
                select_option(page, key, value)
            else:
                type_like_a_person(page, number_box(key), f"{value:g}")
        page.wait_for_timeout(300)
        assert not page.locator(".sim-control-skepticism .sim-note").count()  # a good value: note gone
        reset(page)
        type_like_a_person(page, ".sim-target input", "12")
        page.locator(".sim-run").click()
        wait_drawn(page, 12)
        type_like_a_person(page, ".sim-target input", "5")
        page.locator(".sim-run").click()
        page.wait_for_selector(".sim-status.sim-note")
        assert "already at day 12" in page.inner_text(".sim-status.sim-note") and shown_day(page) == 12
        run_to_typed = str(setup.day)
        type_like_a_person(page, ".sim-target input", run_to_typed)
        page.locator(".sim-run").click()
        wait_drawn(page, setup.day)
        assert page_counters(page) == expected_counters(setup.settings, setup.day)
        lesson_a = setup.result.c(1, "A")["impressions"]
        assert f"{lesson_a:,}" == page_counters(page)[("transparency", "A")]["impressions"]
        assert record["errors"] == [] and record["blocked"] == []


def assert_presentation_fits(page, *more: str) -> None:
    """Presentation mode's promise: the day, the buttons, both regimes' key numbers and
    networks and the two charts all lie above the fold."""
    for sel in (
        ".sim-day",
        ".sim-step",
        ".sim-key-0",
        ".sim-key-1",
        ".sim-network-0 svg.sim-nodes",
        ".sim-network-1 svg.sim-nodes",
        "svg.sim-money",
        "svg.sim-vote",
        *more,
    ):
        assert in_view(page, sel), (sel, shown_day(page))


@pytest.mark.integration
@pytest.mark.alone
def test_play_speed_and_presentation_mode(tmp_path):
    """A new Play speed applies while playing; presentation mode hides the settings and shows
    the key numbers, both networks and two charts above the fold at 1024x768, in large type."""
    _chromium_or_fail()
    with serve_app() as url, offline_page((1024, 768)) as (page, record):
        open_app(page, url)
        page.locator(".sim-speed").click()
        page.locator(".menuable__content__active .v-list-item", has_text="1 day/s").click()
        page.locator(".sim-play").click()
        page.wait_for_timeout(2000)
        slow = shown_day(page)
        assert slow <= 4, slow  # 1 day/s
        page.locator(".sim-speed").click()
        page.locator(".menuable__content__active .v-list-item", has_text="as fast as possible").click()
        # 8 more days within 4 s: 10-20 days/s at 300 users; at 1 day/s it would take 8 s
        page.wait_for_function(
            "n => parseInt(document.querySelector('.sim-day').innerText.split(' ')[1]) >= n",
            arg=slow + 8,
            timeout=4_000,
        )
        if page.locator(".sim-stop").count():  # (it may have reached the last day already,
            try:  # also between this line and the click: then Stop is Play again, disabled)
                # a mouse click at its centre, as a person's: locator.click() waits for the
                # button to hold still over two animation frames, and on a slow machine the run
                # reached its last day meanwhile (test_app_in_offline_browser says more)
                box = page.locator(".sim-stop:not([disabled])").bounding_box(timeout=3_000)
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            except Exception:  # noqa: BLE001
                assert shown_day(page) == 30
        page.wait_for_selector(".sim-play")

        page.locator(".sim-present").click()
        page.wait_for_selector(".sim-presenting")
        assert page.locator(".sim-side").count() == 0
        wait_drawn(page, shown_day(page))
        assert_presentation_fits(page)
        if shown_day(page) < 30:  # the last day adds a status line: the charts must stay in view
            type_like_a_person(page, ".sim-target input", "30")
            page.locator(".sim-run").click()
            wait_drawn(page, 30)
        page.wait_for_selector(".sim-status-row")
        assert "Last day reached" in page.inner_text(".sim-status-row")
        assert_presentation_fits(page, ".sim-status-row")
        sizes = page.evaluate(f"""() => ({{
            share: parseFloat(getComputedStyle(document.querySelector('.sim-money-share')).fontSize),
            key: parseFloat(getComputedStyle(document.querySelector('.sim-key')).fontSize),
            chart: document.querySelector('svg.sim-money').getBoundingClientRect().width
                   / {draw.CHART_W} * {draw.FONT},
            net: document.querySelector('svg.sim-nodes').getBoundingClientRect().width}})""")
        print("\npresentation mode at 1024x768:", sizes)
        assert sizes["share"] >= 32 and sizes["key"] >= 20 and sizes["chart"] >= 15, sizes
        page.screenshot(path=str(tmp_path / "present.png"))
        page.locator(".sim-present").click()
        page.wait_for_selector(".sim-side")
        assert record["errors"] == [] and record["blocked"] == []


def expected_keys(settings: dict, day: int) -> dict:
    m = ClassroomModel(**settings)
    for _ in range(day):
        m.step()
    return day_numbers(m.runs[0])


@pytest.mark.integration
@pytest.mark.alone
def test_reset_right_after_a_new_scenario_applies_it():
    """Reset clicked at once after choosing a scenario, and once while a day computes: each
    click takes effect (a status line under the buttons used to re-create the whole toolbar, so
    a Reset clicked within ~0.3 s of a new scenario went to a button the server had closed)."""
    _chromium_or_fail()
    with serve_app() as url, offline_page((1024, 768)) as (page, record):
        open_app(page, url)
        page.locator(".sim-step").click()
        wait_drawn(page, 1)
        for scenario in ("paid_amplifiers", "two_party"):
            page.locator(".sim-control-scenario_name").click()
            text = re.compile(rf"^\s*{re.escape(choice_text('scenario_name', scenario))}\s*$")
            page.locator(".menuable__content__active .v-list-item").filter(has_text=text).first.click()
            if scenario == "two_party":  # a Step under way when Reset arrives: Reset waits, then runs
                page.locator(".sim-step").click()
            page.locator(".sim-reset").click()  # no wait: as fast as the browser can
            # a lost click would leave the page at day 1 or 2 with "Settings changed" shown
            page.wait_for_selector(".sim-changed", state="detached", timeout=20_000)
            wait_drawn(page, 0, timeout=20_000)
            page.locator(".sim-step").click()
            wait_drawn(page, 1)
        assert record["errors"] == []


@pytest.mark.integration
@pytest.mark.alone
def test_closed_sessions_give_their_memory_back():
    """Five rounds of 10 sessions (light clients: sim/classroom/wsclient.py), each opened,
    stepped 3 days and closed. Every session is freed, and the server's own resident memory
    (anonymous: its allocations) grows by less than 50 MB from the second round to the fifth.
    A session's model and pictures take ~5 MB (10 open sessions add ~50 MB), so state kept per
    session would add ~150 MB over those three rounds (a leak of 1.7 MB a session fails). The
    bound allows the server's one-time warm-up: its memory grows once by ~30 MB (in glibc's
    thread arenas, says /proc/PID/smaps), in the first round or (since the fused kernels of
    3e498f6) anywhere from the second to the fourth, then stays flat (2026-12-04, anonymous
    MB: 222, 222, 253, 253, 253, 254, 254; 224, 228, 249, 256, 256; 223, 224, 255, 256, 257;
    262-266 before 3e498f6), plus the allocator's give-and-take between rounds, 0-8 MB.
    Comparing the fifth round with the third failed once in a full run of this file
    (2026-12-04; its numbers were not kept), which a late warm-up explains."""
    import asyncio

    from sim.classroom.wsclient import Tab

    async def round_of(url, n=10):
        tabs = [Tab(url) for _ in range(n)]
        for tab in tabs:
            await tab.open()
        for day in (1, 2, 3):
            for tab in tabs:
                await tab.click("sim-step")
            for tab in tabs:
                await tab.drawn(day)
        for tab in tabs:
            await tab.close()
        await asyncio.sleep(5)

    server: list = []
    rss, total = [], []
    log = Path(tempfile.mkdtemp()) / "server.log"
    os.environ["SIM_APP_DEBUG"] = "1"
    try:
        with serve_app(server=server, log_path=log) as url:
            for _ in range(5):
                asyncio.run(round_of(url))
                rss.append(_rss_mb(server[0].pid))
                total.append(_rss_mb(server[0].pid, "VmRSS"))
                live = [ln for ln in log.read_text().splitlines() if ln.startswith("session ")][-1]
                assert live.endswith("; 0 live"), live
    finally:
        del os.environ["SIM_APP_DEBUG"]
    print(
        f"\nserver memory after each round of 10 sessions: anonymous {[round(r) for r in rss]} MB, "
        f"all resident {[round(r) for r in total]} MB"
    )
    assert rss[4] - rss[1] < 50, rss


def _rss_mb(pid: int, field: str = "RssAnon") -> float:
    """Resident memory of the server, in MB. RssAnon: the process's own allocations, where a
    session's state would stay. The libraries' file-backed pages (in VmRSS too) come and go
    with the page cache: in a fresh install CI's server gained ~45 MB of VmRSS in its second
    round, twice, with every session freed (sim/runs/memory.py says more)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field}")


def test_play_waits_for_the_page_to_draw_the_day_before_the_last(monkeypatch):
    """Session.wait_drawn: returns at once when the page has drawn the frame before the last one
    sent, when the page says it drew it, or on Stop; else after DRAWN_WAIT_S (a hidden tab
    draws nothing). Timers fire at 0.2 s; the long limit (5 s) is far beyond any delay of a
    busy machine, the short one (0.3 s) is what the timeout case must wait at least."""
    import threading

    app = pytest.importorskip("sim.classroom.app")
    monkeypatch.setattr(app, "DRAWN_WAIT_S", 5.0)
    s = app.Session()

    def waited(then=None) -> float:
        if then:
            threading.Timer(0.2, then).start()
        t0 = time.monotonic()
        s.wait_drawn()
        return time.monotonic() - t0

    s.sent, s.drawn = 5, 4
    assert waited() < 0.1  # one frame in flight: go on
    s.sent = 7
    assert 0.15 < waited(lambda: s.page_drew(6)) < 5.0  # the page drew the frame before the last
    s.sent = 9
    assert 0.15 < waited(s.halt) < 5.0  # Stop
    s.stop.clear()
    monkeypatch.setattr(app, "DRAWN_WAIT_S", 0.3)
    assert waited() >= 0.3  # no word from the page
