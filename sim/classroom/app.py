"""The classroom web app: a Solara page around ``sim.classroom.model.ClassroomModel``.

Start it with ``./app.sh`` or ``python -m sim app`` (http://127.0.0.1:8765). Everything the
browser loads comes from the local installation (the ``viz`` extra pins ``solara-assets``, which
holds Solara's front-end files, and ipyvue/ipyvuetify 1.x); the page makes no request beyond the
server it was loaded from, and draws its charts as SVG (``draw.py``): no JavaScript library.

Why a page of our own rather than Mesa's SolaraViz: SolaraViz redraws every component after
each step, shows controls a lesson has no use for ("Use Threads", "Render Interval", "PAGE 0")
and runs a click's step in the server's message loop, so clicks made during a step queue up and
each steps later. Here:

- The model steps in a worker thread (one per tab). A click that arrives while it computes a
  Step or a Reset waits and runs next (one such click; a further one is not applied and the
  page says so), so a student's double click gives two days and a Reset right after a new
  scenario applies it. During Play and Run the buttons but Stop are disabled, and a click
  that still arrives then says "press Stop first". Stop sets a flag the worker reads before
  every day; the Play speed is read before every day too, and Play waits for the page to
  draw the day before the last (``DrawnSignal``), so Stop stops at the day on the screen even
  when the browser draws fewer days a second than the server computes. A Step changes no
  button, so it re-renders only what shows the day (30 tabs share one server's CPU).
- A typed value applies on Enter or on leaving its box, never per keystroke; one outside the
  control's range is not applied, and a note under the box gives the range.
- After each day the worker builds a ``Frame`` (every string and number the page shows) and
  publishes it; the page only lays frames out. The follower edges are drawn once per model;
  only the users' layer and the charts change with the day.
- Settings are kept apart from the running model: they take effect on Reset, and the page says
  so when they differ. Choosing a scenario loads its campaigns' names, budgets and appeals.
"""

from __future__ import annotations

import contextlib
import ctypes
import html
import math
import os
import sys
import threading
import time
import traceback
import weakref
from dataclasses import dataclass, field

try:
    import ipyvuetify
    import reacton.core
    import solara
    import solara.lab
    import traitlets
    from reacton.ipyvue import use_event
    from solara.server import settings as server_settings
except ImportError as exc:  # the viz extra is missing: say so in one line
    raise ModuleNotFoundError(
        f"{exc.name} is not installed; set up the app with ./app.sh (or pip install -e '.[viz]')"
    ) from None

from ..config import ConfigError
from ..helptext import Parser
from . import draw
from .model import (
    BUTTONS,
    CHOICES,
    CONTROL,
    CONTROLS,
    DEFAULTS,
    REGIME_TEXT,
    SCENARIO_TEXT,
    ClassroomModel,
    apply_setting,
    campaign_counters,
    choice_text,
    control_range,
    day_numbers,
    policy_style,
    ranking_note,
    scenario_settings,
    seen_today,
    steps_csv,
)

server_settings.theme.show_banner = False  # the "made with Solara" badge covered chart axes
server_settings.theme.title = "Paid versus organic reach: classroom"

STEP, PLAY, STOP, RUN, RESET, DEFAULTS_BUTTON = BUTTONS  # lesson.py's instructions name them
NOTE_S = 3.0  # a "not applied" note shows at least this long
LONG = ("play", "run")  # jobs that disable the buttons (but Stop) while they run
DEBUG = bool(os.environ.get("SIM_APP_DEBUG"))
SERVER_ENV = "SIM_APP_SERVER"  # set for the Solara server that main() becomes
SPEEDS = {"1 day/s": 1.0, "2 days/s": 2.0, "5 days/s": 5.0, "as fast as possible": math.inf}
DRAWN_WAIT_S = 1.0  # Play waits at most this long for the page to draw a day (a hidden tab draws none)


# ---------------------------------------------------------------- one day's picture


@dataclass(frozen=True)
class Side:
    regime: str
    label: str
    color: str
    key: dict
    counters: list
    edges: str
    nodes: str
    caption: str
    origins: str


@dataclass(frozen=True)
class Frame:
    """Everything the page shows for one day of one model (built in the worker thread)."""

    day: int
    days: int
    settings: dict
    names: tuple
    sides: tuple
    money: str
    vote: str
    table: str
    running: bool
    built: float = field(default_factory=time.monotonic)


def make_frame(model: ClassroomModel, cache: dict) -> Frame:
    """``cache`` keeps what is drawn once per model: the edge layer, the users' positions."""
    day, days = model.day, model.days
    if cache.get("model") is not model:
        cache.update(
            model=model,
            edges=draw.network_edges(model.runs[0], model.layout),
            picture=draw.NetworkPicture(model.layout, model.runs[0].n),
        )
    peak = draw.daily_peak(model.runs)
    sides = []
    for regime, run in zip(model.regimes, model.runs):
        label, color = policy_style(regime)
        paid, organic = seen_today(run)
        sides.append(
            Side(
                regime=regime,
                label=label,
                color=color,
                key=day_numbers(run),
                counters=campaign_counters(run),
                edges=cache["edges"],
                nodes=cache["picture"].nodes(run, day),
                caption=f"{int(paid.sum()):,} users saw paid content, "
                f"{int(organic.sum()):,} saw organic content",
                origins=draw.origins_chart(run, days, peak, f"{label}: impressions by origin"),
            )
        )
    dashes = (False, True)
    money = draw.lines_chart(
        [
            (s.label, 100 * draw.money_share_series(r), s.color, d)
            for s, r, d in zip(sides, model.runs, dashes)
        ],
        days,
        (0, 100),
        "money share of political reach",
        "% of impressions",
        "sim-money",
        day,
        ysuffix="%",
    )
    votes = [draw.vote_series(r) for r in model.runs]
    start = sides[0].key["vote_share_a"] - sides[0].key["vote_change_a"]
    vote = draw.lines_chart(
        [(s.label, 100 * v, s.color, d) for s, v, d in zip(sides, votes, dashes)],
        days,
        draw.vote_limits(votes, start),
        f"{model.names[0]}'s expected vote share",
        "% of expected votes",
        "sim-vote",
        day,
        ysuffix="%",
    )
    table = draw.counters_table(
        [s.regime for s in sides],
        [s.label for s in sides],
        [s.color for s in sides],
        [s.counters for s in sides],
    )
    return Frame(
        day,
        days,
        dict(model.settings),
        tuple(model.names[:2]),
        tuple(sides),
        money,
        vote,
        table,
        bool(model.running),
    )


# ---------------------------------------------------------------- per-tab state


LIVE = [0]  # sessions alive (SIM_APP_DEBUG prints the count as tabs come and go)


try:  # glibc keeps freed memory in its arenas; a closed tab's ~15 MB goes back to the system
    _trim = ctypes.CDLL("libc.so.6").malloc_trim if sys.platform == "linux" else None
except OSError:
    _trim = None


def _count(change: int) -> None:
    LIVE[0] += change
    if change < 0 and _trim is not None:
        _trim(0)
    if DEBUG:
        print(f"session {'opened' if change > 0 else 'freed'}; {LIVE[0]} live", file=sys.stderr, flush=True)


class Session:
    """One browser tab's model and worker; module-level ``solara.reactive`` values are per tab
    too (Solara keeps them per virtual kernel). Freed with the tab's kernel: at once when the
    tab closes, after CULL when it vanished."""

    def __init__(self):
        _count(+1)
        weakref.finalize(self, _count, -1)
        self.model: ClassroomModel | None = None
        self.guard = threading.Lock()  # guards doing and waiting
        self.doing = ""  # the worker's job ("" when idle): "step", "reset", "play" or "run"
        self.noted = 0.0  # when the last "not applied" note was set
        self.waiting = None  # (job, label, button) clicked while the worker computed: runs next
        self.stop = threading.Event()
        self.pace = SPEEDS["2 days/s"]  # Play's days per second, read before every day
        self.edges: dict = {}
        self.render = contextlib.nullcontext()  # the page's render context: batches updates
        self.frame: Frame | None = None  # the day shown
        self.live: dict[str, tuple] = {}  # name -> (widget, its element, Frame -> its HTML)
        self.sent = 0  # frames published to the page (Frame numbers, from 1)
        self.drawn = 0  # the last frame the page says it drew (DrawnSignal)
        self.drawn_changed = threading.Condition()
        self.signal = None  # the page's DrawnSignal widget

    def halt(self) -> None:
        """Stop a playing worker before its next day (also one waiting for the page)."""
        with self.drawn_changed:
            self.stop.set()
            self.drawn_changed.notify_all()

    def page_drew(self, number: int) -> None:
        with self.drawn_changed:
            self.drawn = max(self.drawn, number)
            self.drawn_changed.notify_all()

    def wait_drawn(self) -> None:
        """Wait until the page has drawn the frame before the last one sent (or DRAWN_WAIT_S):
        Play then runs no further ahead of what the page shows than the day in flight. Without
        it, at "as fast as possible" the page showed days ~8 behind the server (0.35 s), and
        Stop jumped the page 8 days on."""
        with self.drawn_changed:
            self.drawn_changed.wait_for(
                lambda: self.drawn >= self.sent - 1 or self.stop.is_set(), timeout=DRAWN_WAIT_S
            )


class Shown:
    """A new model's first frame. ``frame`` (a reactive) gets one Shown per model: a Reset
    renders every component that shows the day; a Step only sets ``Session.frame`` and the
    day's widgets (``Live``) directly, so that no component renders and reacton does not walk
    the page's tree (that was a third of a step's server time). A component that renders
    for another reason reads ``Session.frame``: the day shown."""

    def __init__(self, f: Frame):
        self.frame = f


settings = solara.reactive(dict(DEFAULTS))
frame = solara.reactive(None)  # a Shown
busy = solara.reactive("")  # what the worker is doing: "", "step", "reset", "play", "run"
# a Reset is running: the settings and the pictures read this, not ``busy``, so that a step
# re-renders neither the settings column nor the page (30 tabs share one server's CPU)
building = solara.reactive(False)
error = solara.reactive("")
ready = solara.reactive(False)  # a model has been built (the first Reset is done)
model_settings = solara.reactive(None)  # the settings the running model was built with
finished = solara.reactive(False)  # the running model reached its last day
target_day = solara.reactive(20)
speed = solara.reactive("2 days/s")
notice = solara.reactive("")  # why the last click did nothing ("" once a click acts)
present = solara.reactive(False)  # presentation mode: no settings column, large numbers


def start(session: Session, job, label: str, button: str) -> bool:
    """Run ``job`` in the tab's worker thread. If the worker is computing a Step or a Reset,
    the job waits and runs next (one job waits at most: a further click is not applied, and
    the page says so); during Play or Run (their buttons are disabled, so only a click made
    before the page showed that gets here) the page says to press Stop first. True if the
    job runs or waits."""
    with session.guard:
        run_now = not session.doing
        if session.doing:
            playing = "playing" if session.doing == "play" else "running to a day"
            why = (
                f"the model is {playing}: press {STOP} first"
                if session.doing in LONG
                else f"{session.waiting[2]} is already waiting for the model"
                if session.waiting
                else ""
            )
            if not why:
                session.waiting = (job, label, button)
        else:
            session.doing, why = label, ""
    # a click that does not act says why; the note stays at least NOTE_S seconds (a click that
    # acts at once would clear it, maybe in the same render: never shown)
    if why:
        notice.set(f"{button}: not applied, {why}; click again when it is done")
        session.noted = time.monotonic()
    elif run_now and time.monotonic() - session.noted > NOTE_S:
        notice.set("")
    if run_now:
        threading.Thread(target=work, args=(session, job, label), daemon=True).start()  # this tab's context
    return not why


def work(session: Session, job, label: str) -> None:
    """The worker: ``job``, then whatever was clicked meanwhile."""
    while label:
        session.stop.clear()
        busy.set("" if label == "step" else label)  # a Step changes no button: only the day re-renders
        building.set(label == "reset")
        try:
            job()
            error.set("")
        except ConfigError as exc:
            error.set(str(exc))
        except Exception as exc:  # shown on the page, the traceback in the server's log
            error.set(f"{type(exc).__name__}: {exc}")
            traceback.print_exc()
        with session.guard:
            job, label, _ = session.waiting or (None, "", "")
            session.waiting, session.doing = None, label
    busy.set("")
    building.set(False)


def publish(session: Session, new_model: bool = False) -> None:
    """Show the model's current day (SIM_APP_DEBUG=1 prints how long drawing and sending took).
    A new model renders the day's components; a next day of the same model only sets the
    widgets that show the day."""
    t0 = time.perf_counter()
    f = make_frame(session.model, session.edges)
    t1 = time.perf_counter()
    session.frame = f  # what a component shows when it renders
    session.sent += 1
    if new_model or frame.value is None:
        with session.render:  # one render pass for every component that shows the day
            frame.set(Shown(f))
            finished.set(not f.running)
    else:
        # no render runs meanwhile (one in another thread could be reconciling these widgets)
        with getattr(session.render, "thread_lock", contextlib.nullcontext()):
            for widget, el, show in list(session.live.values()):
                html_ = el.kwargs["unsafe_innerHTML"] = show(f)  # (reacton re-applies an element's
                widget.unsafe_innerHTML = html_  # arguments when a parent renders: they must agree)
            if session.signal is not None:  # last: the page draws the day, then says so
                widget, el = session.signal
                widget.frame = el.kwargs["frame"] = session.sent
        finished.set(not f.running)  # (a render: outside the lock)
    if DEBUG:
        print(
            f"day {f.day}: frame {1000 * (t1 - t0):.0f} ms, render and send "
            f"{1000 * (time.perf_counter() - t1):.0f} ms; page drew frame {session.drawn} of {session.sent}",
            file=sys.stderr,
            flush=True,
        )


@solara.component
def Live(session: Session, name: str, show, tag: str = "div", classes: list | None = None):
    """An HTML widget that shows ``show(frame)`` and follows the day without rendering: it
    registers itself in ``session.live``, where ``publish`` sets it."""
    assert frame.value is not None  # (read: a new model renders this again)
    attributes = {"class": " ".join(classes)} if classes else {}
    el = solara.widgets.HTML.element(tag=tag, unsafe_innerHTML=show(session.frame), attributes=attributes)

    def register():
        widget = solara.get_widget(el)
        session.live[name] = (widget, el, show)
        return lambda: session.live.get(name, (None,))[0] is widget and session.live.pop(name)

    solara.use_effect(register, None)  # after every render: the widget may be a new one


class DrawnSignal(ipyvuetify.VuetifyTemplate):
    """An invisible widget that tells the server which frame the page has drawn: when the
    server sets ``frame`` (after the day's widgets), the page sets ``drawn`` to it once the
    browser has laid out and painted that update (two animation frames later)."""

    template = traitlets.Unicode(
        """<template><span style="display: none"></span></template>
<script>
module.exports = {
  watch: {
    frame: {
      immediate: true,
      handler(n) {
        this.$nextTick(() => requestAnimationFrame(() => requestAnimationFrame(() => {
          if (n > this.drawn) { this.drawn = n; }
        })));
      },
    },
  },
};
</script>"""
    ).tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    drawn = traitlets.Int(0).tag(sync=True)


@solara.component
def Drawn(session: Session):
    """The page's DrawnSignal (one per page, beside the day counter)."""
    assert frame.value is not None  # (read: a new model renders this again)
    el = DrawnSignal.element(frame=session.sent)

    def register():
        widget = solara.get_widget(el)
        session.signal = (widget, el)

        def drew(change):
            session.page_drew(change["new"])

        widget.observe(drew, "drawn")
        session.page_drew(widget.drawn)

        def unregister():
            widget.unobserve(drew, "drawn")
            if session.signal is not None and session.signal[0] is widget:
                session.signal = None

        return unregister

    solara.use_effect(register, None)  # after every render: the widget may be a new one


def do_reset(session: Session) -> None:
    session.model = ClassroomModel(**settings.value)
    publish(session, new_model=True)
    model_settings.set(dict(session.model.settings))
    ready.set(True)


def do_steps(session: Session, until: int, play: bool = False) -> None:
    """Step to day ``until`` (or the end, or Stop). Playing shows every day, at most
    ``session.pace`` days per second (read every day, so a new Play speed applies at once) and
    no faster than the page draws them (Session.wait_drawn); otherwise the page shows about two
    days a second."""
    m, shown = session.model, time.monotonic()
    while m.day < min(until, m.days) and not session.stop.is_set():
        if play:
            session.wait_drawn()
        t0 = time.monotonic()
        pace = session.pace if play else 0.0
        m.step()
        if pace or m.day >= until or not m.running or t0 - shown > 0.5:
            publish(session)
            shown = time.monotonic()
        if pace and math.isfinite(pace):
            time.sleep(max(0.0, 1 / pace - (time.monotonic() - t0)))
    if session.frame is None or session.frame.day != m.day:
        publish(session)


# ---------------------------------------------------------------- controls


def _names(s: dict) -> tuple:
    return scenario_settings(s["scenario_name"])["names"]


def set_setting(key: str, value) -> None:
    """Change one setting. A menu's value must be one of its choices: with --host 0.0.0.0 the
    values come from anyone on the network, and a scenario's name is a file name."""
    if key in CHOICES and value not in CHOICES[key]:
        return
    settings.set(apply_setting(settings.value, key, value))


def _choice_items(key: str) -> list[dict]:
    return [{"text": choice_text(key, v), "value": v} for v in CHOICES[key]]


@solara.component
def ChoiceControl(key: str, disabled: bool):
    c, s = CONTROL[key], settings.value
    with solara.Column(gap="0px"):  # one root, with or without the note: the menu is not re-created
        ChoiceMenu(key, c, s, disabled)
        note = ranking_note(s[key]) if key == "ranking" else c.help
        if note:
            solara.Text(note, classes=["sim-help"])


def ChoiceMenu(key: str, c, s: dict, disabled: bool):
    solara.v.Select(
        label=c.text(_names(s)),
        items=_choice_items(key),
        v_model=s[key],
        on_v_model=lambda v: set_setting(key, v),
        dense=True,
        outlined=True,
        hide_details=True,
        disabled=disabled,
        class_=f"sim-control sim-control-{key}",
        menu_props={"offsetY": True},
    )


def typed_value(text, lo: float, hi: float, whole: bool):
    """(value, "") for a typed number inside [lo, hi], else (None, a note with the range)."""
    allowed = f"allowed: {'a whole number ' if whole else ''}from {lo:g} to {hi:g}"
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None, f"Not a number: {allowed}"
    if not math.isfinite(v) or (whole and v != int(v)):
        return None, f"{text} not applied: {allowed}"
    if not lo <= v <= hi:
        return None, f"{text} is out of range, not applied: {allowed}"
    return (int(v) if whole else v), ""


def number_box(
    value,
    lo: float,
    hi: float,
    whole: bool,
    on_value,
    disabled: bool,
    label: str,
    class_: str = "",
    width: int = 92,
) -> str:
    """A box to type a number in (a hook: call it inside a component, where the box should
    go); returns the note to show under it. The value applies on Enter or on leaving the box
    (each keystroke only edits the text); one outside [lo, hi] is not applied and gets a note
    with the range. The box shows ``value`` again whenever it changes elsewhere."""
    note, set_note = solara.use_state("")

    def apply(text):
        v, why = typed_value(text, lo, hi, whole)
        set_note(why)
        if v is not None:
            on_value(v)

    box = solara.v.TextField(
        v_model=f"{value:g}",
        type="number",
        dense=True,
        outlined=True,
        hide_details=True,
        disabled=disabled,
        on_v_model=lambda _: None,
        class_=f"sim-number {class_}".strip(),
        style_=f"max-width: {width}px",
        attributes={"aria-label": label, "min": f"{lo:g}", "max": f"{hi:g}"},
    )
    for event in ("focusout", "keyup.enter"):  # (solara's use_change lost them on a re-render)
        use_event(box, event, lambda widget, *_: apply(widget.v_model))
    solara.use_effect(lambda: set_note(""), [value])
    return note


@solara.component
def NumberControl(key: str, disabled: bool):
    """A slider and a box to type in, both always showing the value."""
    c, s = CONTROL[key], settings.value
    lo, hi = control_range(key, s["scenario_name"])
    step = c.step if hi <= 20 * c.hi or c.kind == "int" else hi / 200
    label = c.text(_names(s))

    def slid(v):  # checked as a typed value is: the server takes no out-of-range setting
        v, _ = typed_value(v, lo, hi, False)
        if v is not None:
            set_setting(key, int(round(v)) if c.kind == "int" else v)

    with solara.Column(gap="0px", classes=["sim-control", f"sim-control-{key}"]):
        solara.Text(label, classes=["sim-control-label"])
        with solara.Row(gap="6px", style={"align-items": "center"}):
            solara.v.Slider(
                v_model=s[key],
                min=lo,
                max=hi,
                step=step,
                on_v_model=slid,
                hide_details=True,
                dense=True,
                disabled=disabled,
                class_="sim-slider",
                style_="flex: 1 1 auto",
            )
            note = number_box(s[key], lo, hi, c.kind == "int", lambda v: set_setting(key, v), disabled, label)
        if note:
            solara.Text(note, classes=["sim-note"])
        if c.help:
            solara.Text(c.help, classes=["sim-help"])


@solara.component
def Controls():
    disabled = building.value
    with solara.Column(gap="10px", classes=["sim-side"]):
        with solara.Row(style={"align-items": "center", "justify-content": "space-between"}):
            solara.HTML(
                tag="div",
                unsafe_innerHTML="<b>Settings</b><br><span class='sim-help'>"
                "they take effect on <b>Reset</b></span>",
                classes=["sim-side-title"],
            )
            solara.Button(
                DEFAULTS_BUTTON,
                disabled=disabled,
                small=True,
                classes=["sim-defaults"],
                on_click=lambda: settings.set(dict(DEFAULTS)),
            )
        PresentButton()
        for c in CONTROLS:
            if c.kind == "choice":
                ChoiceControl(c.key, disabled)
            else:
                NumberControl(c.key, disabled)


# ---------------------------------------------------------------- the page


def day_text(f: Frame) -> str:
    return f"Day {f.day} of {f.days}"


def stop_pressed(session: Session) -> None:
    session.halt()
    if DEBUG:
        day = session.model.day if session.model else 0
        print(f"stop pressed at {time.time():.3f}, day {day}", file=sys.stderr, flush=True)


def run_to(session: Session) -> None:
    """Run to day: forward only; an earlier (or the same) day says so instead of doing nothing."""
    day = session.model.day if session.model else 0
    if target_day.value <= day:
        notice.set(
            f"{RUN}: already at day {day}; it only goes forward (type a later day, or "
            f"press {RESET} to start again at day 0)"
        )
        return
    start(session, lambda: do_steps(session, target_day.value), "run", RUN)


def set_speed(session: Session, value: str) -> None:
    speed.set(value)
    session.pace = SPEEDS[value]  # the playing worker reads it before the next day


@solara.component
def PresentButton():
    """Presentation mode on and off: in the settings column, and in the toolbar while the
    settings are hidden."""
    solara.Button(
        "Exit presentation" if present.value else "Presentation",
        icon_name="mdi-projector-screen",
        small=True,
        outlined=True,
        classes=["sim-present"],
        on_click=lambda: present.set(not present.value),
    )


@solara.component
def TargetBox(days: int):
    """Run to day's box; its note (out of range) shows in the toolbar's notice line."""
    note = number_box(target_day.value, 1, days, True, target_day.set, False, "Run to day", "sim-target", 64)
    solara.use_effect(lambda: notice.set(note) if note else None, [note])


@solara.component
def Toolbar(session: Session):
    """The buttons; they read what changes rarely (busy, the running model's settings), not
    the day, so that a step redraws only the day counter and the pictures. During Play, Run and
    Reset every button but Stop is disabled; during a Step none is (a click then waits)."""
    doing, running = busy.value, model_settings.value
    idle = not doing and running is not None
    changed = running is not None and settings.value != running
    at_end = finished.value
    days = running["days"] if running else DEFAULTS["days"]
    # One root whatever shows under the buttons: with a bare Row, the first status line made the
    # root a new Column and re-created every button, and a click on the old ones was lost.
    with solara.Column(gap="4px", classes=["sim-toolbar-box"]):
        with solara.Row(
            gap="6px", classes=["sim-toolbar"], style={"align-items": "center", "flex-wrap": "wrap"}
        ):
            if frame.value is None:
                solara.HTML(tag="span", unsafe_innerHTML="Day –", classes=["sim-day"])
            else:
                Live(session, "day", day_text, tag="span", classes=["sim-day"])
                Drawn(session)
            solara.Button(
                STEP,
                icon_name="mdi-skip-next",
                disabled=not idle or at_end,
                small=True,
                on_click=lambda: start(
                    session, lambda: do_steps(session, session.model.day + 1), "step", STEP
                ),
                classes=["sim-step"],
            )
            if doing in ("play", "run"):
                solara.Button(
                    STOP,
                    icon_name="mdi-stop",
                    color="error",
                    disabled=False,  # (it takes Play's place and widget, which was disabled)
                    on_click=lambda: stop_pressed(session),
                    small=True,
                    classes=["sim-stop"],
                ).key("sim-stop")  # its own widget: Play's disabled one kept pointer-events off
            else:
                solara.Button(
                    PLAY,
                    icon_name="mdi-play",
                    disabled=not idle or at_end,
                    small=True,
                    on_click=lambda: start(
                        session, lambda: do_steps(session, session.model.days, play=True), "play", PLAY
                    ),
                    classes=["sim-play"],
                ).key("sim-play")
            solara.v.Select(
                items=list(SPEEDS),
                v_model=speed.value,
                on_v_model=lambda v: set_speed(session, v),
                dense=True,
                hide_details=True,
                class_="sim-speed",
                style_="max-width: 118px; font-size: 13px",
                label="Play speed",
            )
            solara.Button(
                RUN,
                disabled=not idle or at_end,
                small=True,
                classes=["sim-run"],
                on_click=lambda: run_to(session),
            )
            TargetBox(days)
            solara.Button(
                RESET,
                icon_name="mdi-restart",
                disabled=bool(doing),
                small=True,
                color="warning" if changed else None,
                classes=["sim-reset"],
                on_click=lambda: start(session, lambda: do_reset(session), "reset", RESET),
            )
            if present.value:
                PresentButton()
        lines = [(notice.value, ["sim-status", "sim-note"])] if notice.value else []
        if doing == "reset":
            lines.append(("Building the model…", ["sim-status", "sim-busy"]))
        elif changed:
            lines.append(("Settings changed: press Reset to apply them", ["sim-status", "sim-changed"]))
        elif at_end:
            lines.append(("Last day reached: press Reset to start again", ["sim-status"]))
        if error.value:
            lines.append((error.value, ["sim-error"]))
        if lines:  # one row: in presentation mode it is one line, and the networks give way to it
            with solara.Row(gap="6px", classes=["sim-status-row"], style={"flex-wrap": "wrap"}):
                for text, classes in lines:
                    solara.Text(text, classes=classes)


def _pct(x, digits=0) -> str:
    return "–" if x is None or math.isnan(x) else f"{100 * x:.{digits}f}%"


def key_numbers(f: Frame, i: int) -> str:
    """One regime's key numbers, above its network."""
    a, b = (html.escape(x) for x in f.names)
    s, k = f.sides[i], f.sides[i].key
    side = ("left", "right")[i] if len(f.sides) > 1 else "only regime"
    return (
        f'<div class="sim-key sim-key-{i}" data-regime="{html.escape(s.regime)}" data-day="{f.day}">'
        f'<div class="sim-key-title" style="border-color:{s.color}">{html.escape(s.label)}'
        f' <span class="sim-muted">({side})</span></div>'
        f'<div><b class="sim-money-share">{_pct(k["money_share"])}</b> of political '
        f'reach bought <span class="sim-muted">(money share)</span></div>'
        f'<div>impressions so far: {a} <b class="sim-total-a">{k["total_a"]:,}</b>, '
        f'{b} <b class="sim-total-b">{k["total_b"]:,}</b>, all <b class="sim-total">{k["total"]:,}</b></div>'
        f"<div>{a}'s vote share <b>{_pct(k['vote_share_a'], 2)}</b> "
        f"({100 * k['vote_change_a']:+.3f} points since day 0)</div>"
        f'<div class="sim-caption">today: {s.caption}</div></div>'
    )


def charts(f: Frame, presenting: bool = False) -> str:
    """All charts; presenting: the money share and the vote share only, side by side."""
    boxes = (
        [f.money, f.vote] if presenting else [s.origins for s in f.sides] + [ORIGIN_LEGEND, f.money, f.vote]
    )
    return f'<div class="sim-chart-grid">{"".join(boxes)}</div>'


def charts_presenting(f: Frame) -> str:
    return charts(f, True)


LEGEND = draw.opinion_bar() + (
    f' &nbsp; <span class="sim-ring" style="border-color:{draw.PAID_RING}"></span> saw paid '
    "content today (an ad, a paid poster's post, or a reshare of either) &nbsp; <span "
    f'class="sim-ring" style="border-color:{draw.ORGANIC_RING}"></span> saw organic content today '
    "(a campaign account's own post or a reshare of one) &nbsp; &#9632; campaign account &nbsp; "
    "&#9670; paid poster (amplifier) &nbsp; &#9660; sockpuppet &nbsp; &#10005; suspended"
)

ORIGIN_LEGEND = draw.origin_legend()
DEFINITIONS = """
<p><b>Where an impression comes from</b> (every impression has exactly one origin):
<b>ad</b>: won in the ad auction; <b>owned accounts</b>: posted by the campaign's own account;
<b>paid amplifiers</b>: posted by a person the campaign pays per post (a paid poster);
<b>earned from paid</b>: a reshare of something whose first post was paid (an ad or a paid
post); <b>earned from organic</b>: a reshare of the campaign's own post.</p>
<p><b>Money share</b> = (ad + paid amplifiers + earned from paid) / all impressions: the share of
reach whose cascade started with money. In the key numbers it is over all political campaigns
so far; in the table, per campaign. <b>Spent $ / budget $</b>: dollars over the run (budgets are
set per 1,000 users). <b>Vote share change</b>: the candidate's expected share of the vote now
minus on day 0, in percentage points.</p>
"""


@solara.component
def SimulationTab(session: Session):
    if not ready.value:
        solara.Text("Building the model…", classes=["sim-busy"])
        return
    with solara.Column(gap="6px", classes=["sim-dim"] if building.value else []):
        Today(session)
        if present.value:  # the projector: key numbers, networks and two charts, nothing else
            Live(session, "charts", charts_presenting)
            return
        solara.HTML(tag="div", unsafe_innerHTML=LEGEND, classes=["sim-legend"])
        Live(session, "counters", counters_html, classes=["sim-table"])
        solara.HTML(tag="div", unsafe_innerHTML=DEFINITIONS, classes=["sim-definitions"])
        Live(session, "charts", charts)
        solara.HTML(
            tag="div",
            classes=["sim-muted"],
            unsafe_innerHTML=(
                "Dashed line: the right-hand regime. The vote-share axis is zoomed in: read its numbers "
                "before comparing heights."
            ),
        )


def _side(i: int, part: str):
    """Frame -> one side's key numbers or users' layer (a module-level function per side and
    part: ``Live`` registers again only when its function changes)."""
    return SIDE_PARTS[(i, part)]


SIDE_PARTS = {
    **{(i, "key"): (lambda f, i=i: key_numbers(f, i)) for i in (0, 1)},
    **{(i, "nodes"): (lambda f, i=i: f.sides[i].nodes) for i in (0, 1)},
}


@solara.component
def Today(session: Session):
    """Each regime's key numbers above its network: two widgets per regime change per day
    (the edge layer under the users does not)."""
    assert frame.value is not None  # (read: a new model renders this again)
    f = session.frame
    with solara.Row(gap="12px", classes=["sim-networks"]):
        for i, s in enumerate(f.sides):
            with solara.Column(gap="4px", classes=["sim-network", f"sim-network-{i}"]):
                Live(session, f"key{i}", _side(i, "key"))
                with solara.Div(classes=["sim-net-layers"]):
                    solara.HTML(tag="div", unsafe_innerHTML=s.edges, classes=["sim-layer"])
                    Live(session, f"nodes{i}", _side(i, "nodes"), classes=["sim-layer"])
        if len(f.sides) == 1:
            solara.HTML(
                tag="div",
                classes=["sim-network", "sim-off"],
                unsafe_innerHTML=(
                    "<i>One regime only: choose a regime under <b>Compare with (right)</b> and "
                    "press <b>Reset</b> to see two side by side.</i>"
                ),
            )


def counters_html(f: Frame) -> str:
    return f"<h3>Counters: the run so far</h3>{f.table}"


def data_table(f: Frame) -> str:
    return f"<h3>The counters on day {f.day} (the CSV has every day)</h3>{f.table}"


@solara.component
def DataTab(session: Session):
    if frame.value is None:
        return
    solara.HTML(
        tag="p",
        unsafe_innerHTML=(
            "The day-by-day table of the running model: one row per regime, day and campaign, with "
            "the columns of a run's <code>steps.parquet</code> (docs/outputs.md describes each)."
        ),
    )
    solara.FileDownload(
        lambda: steps_csv(session.model),
        filename="classroom_days.csv",  # (the day would be stale: the tab does not re-render per day)
        label="Download the day-by-day table (CSV)",
    )
    Live(session, "data", data_table, classes=["sim-table"])


ABOUT = """
<h2>What this is</h2>
<p>A model of a social network in an election campaign. Each dot is a person. People follow
each other (the grey lines), open their feed now and then, and see posts. Two candidates,
<b>{a}</b> and <b>{b}</b>, try to reach them in two ways: they <b>pay</b> (ads, or people paid to
post for them) or they post from their own accounts and hope people reshare (<b>organic</b>).
Everything you see is counted: who saw what, and whether money started it.</p>
<p>The two pictures are the <b>same people</b> with the same friends and the same chance
events. Only the rules differ (left: <i>Regime (left)</i>, right: <i>Compare with (right)</i>). So
any difference between the sides is caused by the rules.</p>
<h2>What you see</h2>
<ul>
<li><b>Dot colour</b>: the person's opinion, from purple (left, -1) to green (right, +1).</li>
<li><b>Orange ring</b>: saw paid content today. <b>Blue ring</b>: saw organic content today.</li>
<li><b>Squares</b>: the campaigns' own accounts. <b>Diamonds</b>: people paid to post
(paid posters). <b>Triangles</b>: fake accounts (sockpuppets). <b>x</b>: suspended by the
platform.</li>
<li><b>Money share</b> (the big number above each network): of all the impressions of the
political campaigns so far (candidates and other political campaigns; civic ones such as
"Vote" left out), the share whose chain began with money: (ad + paid amplifiers + earned from
paid) / all. The counters table gives it per campaign.</li>
<li>The <b>counters</b> table gives, per campaign, where its impressions came from, what it
spent, how many paid posters it had, how often it was reshared, and how its expected vote
share moved.</li>
</ul>
<h2>The controls</h2>
<ul>
<li><b>Step</b>: one day. <b>Play</b> / <b>Stop</b>: day after day at the chosen speed.
<b>Run to day</b>: jump to the day in the box.</li>
<li><b>Reset</b>: start again with the settings on the left. Settings do nothing until you press
it (the page tells you when they changed). <b>Defaults</b>: put every setting back to the
start values (then press Reset).</li>
<li><b>Scenario</b>: who campaigns and with what money; choosing one loads its budgets (see
the list below).</li>
<li><b>Regime</b>: the rules, one on the left and one on the right (see the list below).</li>
<li><b>Budget</b>: dollars per 1,000 users over the whole campaign. <b>Appeal</b>: how
engaging the messages are. <b>Ad targeting</b>: how precisely ads find people.
<b>Feed ranking</b>: how the platform orders each feed.</li>
<li><b>Persuasion per exposure</b>: how far one message moves a person who is already close
to it. <b>Mean skepticism</b> and <b>Effect of a 'paid' label</b>: how much people discount
labeled ads. <b>Enforcement</b>: the daily chance the platform catches a coordinated account.
<b>Users</b>, <b>Seed</b> (another random world), <b>Days</b>.</li>
<li>A typed number applies when you press Enter or leave the box; one outside the allowed range
is not applied, and a note under the box says what is allowed.</li>
<li><b>Presentation</b>: for a projector; hides the settings and shows the key numbers, the
networks and two charts in large type. Press it again to leave.</li>
</ul>
<h2>The regimes (the rules)</h2>
<ul>{regimes}</ul>
<h2>The scenarios</h2>
<ul>{scenarios}</ul>
<p>The lesson plan with three experiments: docs/classroom.md. How the model works, with its
sources: docs/model.md.</p>
"""

CSS = """
.sim-page { display: grid; grid-template-columns: 272px minmax(0, 1fr); height: 100vh;
            font-size: 14px; }
.sim-side { overflow-y: auto; height: 100vh; padding: 8px 10px 40px 10px;
            border-right: 1px solid #ddd; background: #fafafa; }
.sim-main { overflow-y: auto; height: 100vh; padding: 6px 14px 40px 14px; }
.sim-control-label { font-size: 13px; font-weight: 500; }
.sim-side .v-select__selection { font-size: 14px; }
.sim-help, .sim-muted { font-size: 13px; color: #555; }
.sim-day { font-size: 22px; font-weight: bold; min-width: 140px; }
.sim-status { font-size: 13px; padding: 2px 8px; border-radius: 4px; background: #eee; }
.sim-changed { background: #ffe0b2; font-weight: bold; }
.sim-busy { background: #e3f2fd; }
.sim-error { color: #b00020; font-weight: bold; }
.sim-key { border: 1px solid #ddd; border-radius: 6px; padding: 3px 8px; font-size: 14px;
           line-height: 1.4; }
.sim-caption { font-size: 13px; color: #555; }
.sim-key-title { border-left: 6px solid; padding-left: 6px; font-weight: bold; }
.sim-money-share { font-size: 18px; }
.sim-networks > .sim-network { flex: 1 1 0; min-width: 0; max-width: 640px; }
.sim-off { display: flex; align-items: center; padding: 12px; color: #555; }
.sim-net-layers { display: grid; }
.sim-net-layers > .sim-layer { grid-area: 1 / 1; line-height: 0; }
.sim-net-layers svg { max-height: 44vh; }
.sim-legend { font-size: 13px; }
.sim-ring { display: inline-block; width: 12px; height: 12px; border: 2.5px solid;
            border-radius: 50%; vertical-align: middle; }
.sim-swatch { display: inline-block; width: 12px; height: 12px; vertical-align: middle;
              margin-right: 3px; }
.sim-chart-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 560px));
                  gap: 4px 12px; }
.sim-chart-grid > .sim-legend { grid-column: 1 / -1; }
.sim-table { overflow-x: auto; }
.sim-counters { border-collapse: collapse; font-size: 14px; }
.sim-counters th, .sim-counters td { border-bottom: 1px solid #e5e5e5; padding: 2px 4px;
                                     text-align: right; white-space: nowrap; }
.sim-counters thead th { font-weight: 600; white-space: normal; vertical-align: bottom;
                         padding: 2px 4px; min-width: 34px; max-width: 66px; line-height: 1.2;
                         font-size: 13px; }
.sim-regime-row th { text-align: left !important; background: #f3f3f3; padding-left: 6px; }
.sim-definitions { font-size: 13px; max-width: 1000px; }
.sim-about { max-width: 820px; font-size: 15px; }
.sim-dim { opacity: 0.35; pointer-events: none; }
h3 { margin: 8px 0 4px 0; font-size: 15px; }
.sim-note { background: #fdecea; color: #8a1c12; font-weight: bold; }
.sim-control .sim-note { font-size: 13px; padding: 2px 4px; margin-top: 2px; }
/* Presentation mode (a projector at 1024x768): no settings column; the key numbers at 20 px
   with the money share at 36 px, the day at 30 px, the two charts side by side at ~490 px wide
   (their 13-unit text ~16 px), the networks 32% of the window's height; all above the fold. */
.sim-presenting { grid-template-columns: minmax(0, 1fr); font-size: 18px; }
.sim-presenting .sim-day { font-size: 30px; min-width: 200px; }
.sim-presenting .sim-key { font-size: 20px; line-height: 1.3; }
.sim-presenting .sim-money-share { font-size: 36px; }
.sim-presenting .sim-caption, .sim-presenting .sim-muted { font-size: 16px; }
.sim-presenting .sim-networks > .sim-network { max-width: none; }
.sim-presenting .sim-net-layers svg { max-height: 32vh; }
.sim-presenting .sim-chart-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.sim-presenting .sim-status { font-size: 16px; }
/* A status line (last day reached, settings changed, an error) takes one line of ~32 px: the
   networks shrink by as much, and the charts stay above the fold. */
.sim-presenting .sim-status-row { flex-wrap: nowrap !important; overflow: hidden; }
.sim-presenting .sim-status-row > * { white-space: nowrap; overflow: hidden;
                                      text-overflow: ellipsis; min-width: 0; }
.sim-presenting:has(.sim-status-row) .sim-net-layers svg { max-height: calc(32vh - 34px); }
"""


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's signature; no app bar, no padding around the page
    with solara.Column(gap="0px", style={"padding": "0"}) as main:
        solara.Column(children=children, gap="0px")
    return main


@solara.component
def Page():
    session = solara.use_memo(Session, [])
    session.render = reacton.core.get_render_context()

    def first_model():
        if frame.value is None:
            start(session, lambda: do_reset(session), "reset", RESET)
        return session.halt  # the tab closed: a playing worker stops before its next day

    solara.use_effect(first_model, [])
    solara.Style(CSS)
    with solara.Div(classes=["sim-page", "sim-presenting"] if present.value else ["sim-page"]):
        if not present.value:
            Controls()
        with solara.Div(classes=["sim-main"]):
            Toolbar(session)
            if present.value:
                SimulationTab(session)
                return
            with solara.lab.Tabs(lazy=True):
                with solara.lab.Tab("Simulation"):
                    SimulationTab(session)
                with solara.lab.Tab("Data"):
                    DataTab(session)
                with solara.lab.Tab("About"):
                    About()


def about_html(names=("A", "B")) -> str:
    """The About tab: every regime and every scenario in plain words."""
    regimes = "".join(
        f'<li data-regime="{r}"><b>{html.escape(choice_text("policy", r))}</b>: '
        f"{html.escape(REGIME_TEXT.get(r, ''))}</li>"
        for r in CHOICES["policy"]
    )
    scenarios = "".join(
        f'<li data-scenario="{k}"><b>{html.escape(choice_text("scenario_name", k))}'
        f"</b>: {html.escape(SCENARIO_TEXT.get(k, ('', ''))[1])}</li>"
        for k in CHOICES["scenario_name"]
    )
    return ABOUT.format(
        a=html.escape(names[0]), b=html.escape(names[1]), regimes=regimes, scenarios=scenarios
    )


@solara.component
def About():
    solara.HTML(tag="div", classes=["sim-about"], unsafe_innerHTML=about_html(_names(settings.value)))


CULL = "2m"  # a tab gone without closing (sleep, lost Wi-Fi) keeps its model this long


def warm_kernels() -> None:
    """Step a default model once, so that numba's compiled kernels are in memory (and, after a
    fresh install, compiled into its on-disk cache) before a class clicks Step. Compiling holds
    the interpreter: without this the first Step after an install froze every tab ~9 s (a cold
    cache, 2026-12-04: click-to-redraw 95th percentile 9.0 s against 1.4 s warm,
    scripts/classroom_load.py). ~1 s when the kernels are cached."""
    t0 = time.perf_counter()
    try:
        ClassroomModel(**DEFAULTS).step()
    except Exception:  # noqa: BLE001 - a warm-up only: the first Step will show any real error
        traceback.print_exc()
    if DEBUG:
        print(f"kernels warm in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)


if os.environ.get(SERVER_ENV):  # the server (main() sets it for it alone): in the background
    threading.Thread(target=warm_kernels, name="warm-kernels", daemon=True).start()


def main(argv=None) -> None:
    """``python -m sim app [--host H] [--port P]``: serve the app with Solara.

    By default only this machine can open it (127.0.0.1). ``--host 0.0.0.0`` serves a class on
    the local network: anyone who can reach this machine's port can open the page. What that
    exposes: the page and its static files (Solara's front end, from the installed packages)
    and one websocket per tab, through which the tab's own model is built and stepped with
    the settings on the page (at most 1,000 users and 60 days). No file, no other command, no
    login. Each tab has its own model; a closed tab's is freed at once, one that vanished
    without closing after CULL."""
    parser = Parser(prog="python -m sim app", description=__doc__)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="127.0.0.1 (this machine only, the default) or 0.0.0.0 (the local "
        "network: a class on their own laptops)",
    )
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    env = {
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_SHOW_BANNER": "False",
        "SOLARA_KERNEL_CULL_TIMEOUT": CULL,
        SERVER_ENV: "1",  # the server warms the kernels as it starts (warm_kernels)
    }
    cmd = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.classroom.app",
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--production",
        "--no-open",
    ]
    print(f"classroom app: http://{args.host}:{args.port}  (Ctrl-C stops it)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            "serving to the network: students open http://<this machine's address>:"
            f"{args.port} (docs/classroom.md)",
            flush=True,
        )
    os.execve(sys.executable, cmd, env)  # become the server: one process to stop
