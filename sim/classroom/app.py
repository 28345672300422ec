"""The classroom web app: Mesa's SolaraViz around ``sim.classroom.model.ClassroomModel``.

Start it with ``python -m sim app`` (http://127.0.0.1:8765), or ``solara run sim.classroom.app``.
Everything the browser needs comes from the local installation (the ``viz`` extra pins
``solara-assets``, which holds Solara's front-end files, and ipyvue/ipyvuetify 1.x, under which
Mesa's panels render); the app makes no request beyond the server it was loaded from.

Layout (SolaraViz grid, two columns): the follower network under each regime, their daily
impressions by origin (one y scale for both), the money share and vote share of both regimes,
and the numbers in words. Settings take effect on Reset; Step and Play advance both regimes.
"""

from __future__ import annotations

import argparse
import io
import os
import sys

from matplotlib.figure import Figure

try:
    import solara
    from mesa.visualization import SolaraViz
except ImportError as exc:  # the viz extra is missing: say so in one line
    raise ModuleNotFoundError(f"{exc.name} is not installed; install the app with: "
                              "pip install -e '.[viz]'") from None

from .model import (
    DEFAULTS,
    OFF,
    POLICIES,
    RANKINGS,
    SCENARIOS,
    TARGETING,
    ClassroomModel,
    day_numbers,
    draw_comparison,
    draw_network,
    draw_origins,
    format_numbers,
    max_daily_impressions,
)


def _select(label, values, key):
    return {"type": "Select", "label": label, "value": DEFAULTS[key], "values": list(values)}


def _slider(label, key, lo, hi, step, kind="SliderFloat"):
    return {"type": kind, "label": label, "value": DEFAULTS[key], "min": lo, "max": hi, "step": step}


MODEL_PARAMS = {
    "scenario_name": _select("Scenario", SCENARIOS, "scenario_name"),
    "policy": _select("Policy regime (left)", POLICIES, "policy"),
    "compare": _select("Compare with (right)", POLICIES + (OFF,), "compare"),
    "budget_a": _slider("Budget of A ($ per 1,000 users)", "budget_a", 0, 3000, 5),
    "budget_b": _slider("Budget of B ($ per 1,000 users)", "budget_b", 0, 3000, 5),
    "appeal_a": _slider("Appeal of A's messages", "appeal_a", 0.2, 3.0, 0.1),
    "appeal_b": _slider("Appeal of B's messages", "appeal_b", 0.2, 3.0, 0.1),
    "targeting": _select("Ad targeting (A and B)", TARGETING, "targeting"),
    "ranking": _select("Feed ranking", RANKINGS, "ranking"),
    "n": _slider("Users", "n", 100, 1000, 50, "SliderInt"),
    "seed": _slider("Seed", "seed", 0, 99, 1, "SliderInt"),
    "persuasion": _slider("Persuasion per exposure", "persuasion", 0.0, 0.05, 0.005),
    "skepticism": _slider("Mean skepticism", "skepticism", 0.05, 0.95, 0.05),
    "label_effect": _slider("Effect of a 'paid' label", "label_effect", 0.0, 1.0, 0.05),
    "detection": _slider("Enforcement: daily detection rate", "detection", 0.0, 0.2, 0.005),
    "days": _slider("Days in the campaign", "days", 10, 60, 5, "SliderInt"),
}


def _image(draw, size, name):
    """A matplotlib figure drawn by ``draw(fig)``, shown as a PNG scaled to its grid cell."""
    fig = Figure(figsize=size, dpi=100)
    draw(fig)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return solara.Image(buf.getvalue(), width="100%", classes=["sim-chart", f"sim-{name}"])


def _html(text):
    """Static HTML. Not solara.Markdown: it loads KaTeX, which solara-assets 1.58.2 does not
    ship, so offline the page would report a script error."""
    return solara.HTML(tag="div", unsafe_innerHTML=text)


def _off_note():
    return _html("<i>Side-by-side is off: choose a regime under <b>Compare with</b> and press "
                 "<b>Reset</b>.</i>")


def _network(i):
    def NetworkView(model):
        if i >= len(model.runs):
            return _off_note()
        return _image(lambda fig: draw_network(fig.subplots(), model.runs[i], model.layout,
                                               model.regimes[i]), (5.2, 4.4), f"network-{i}")
    return NetworkView


def _origins(i):
    def OriginsView(model):
        if i >= len(model.runs):
            return _off_note()
        ymax = max_daily_impressions(model.runs)
        return _image(lambda fig: draw_origins(fig.subplots(), model.runs[i], model.regimes[i],
                                               ymax), (5.2, 3.6), f"origins-{i}")
    return OriginsView


def ComparisonView(model):
    return _image(lambda fig: draw_comparison(fig.subplots(1, 2), model.runs, model.regimes),
                  (7.0, 3.2), "comparison")


def settings_text(model) -> str:
    """The running model's settings in words (sliders show their values only while dragged)."""
    p = model.params
    return (f"Running: {p['scenario_name']}, {' vs '.join(model.regimes)}; budgets A ${p['budget_a']:g} / "
            f"B ${p['budget_b']:g} per 1,000 users; appeal A {p['appeal_a']:g} / B {p['appeal_b']:g}; "
            f"{p['targeting']} targeting; {p['ranking']} ranking; {p['n']} users; seed {p['seed']}; "
            f"persuasion {p['persuasion']:g}; skepticism {p['skepticism']:g}; label effect "
            f"{p['label_effect']:g}; detection {p['detection']:g}/day.")


def NumbersView(model):
    with solara.Column() as column:
        solara.Text(f"Day {model.steps} of {model.runs[0].cfg.steps}",
                    classes=["sim-day"], style={"font-size": "1.3em", "font-weight": "bold"})
        for run, regime in zip(model.runs, model.regimes):
            solara.Text(format_numbers(regime, day_numbers(run)), classes=["sim-numbers"])
        solara.Text(settings_text(model), classes=["sim-settings"], style={"font-size": "0.85em"})
        _html("Rings: <b>orange</b> = saw paid content today (an ad, a paid amplifier's post, or "
              "a reshare of either), <b>blue</b> = saw organic content today. Dot colour = "
              "opinion (purple left, green right). Squares: campaign accounts; diamonds: paid "
              "amplifiers; x: suspended. Change settings, then press <b>Reset</b>.")
    return column


COMPONENTS = [_network(0), _network(1), _origins(0), _origins(1), ComparisonView, NumbersView]


@solara.component
def Page():
    """One model per browser session (a module-level model would be shared by every tab)."""
    model = solara.use_memo(ClassroomModel, [])
    SolaraViz(model, components=COMPONENTS, model_params=MODEL_PARAMS, play_interval=300,
              name="Paid versus organic reach: classroom")


def main(argv=None) -> None:
    """``python -m sim app [--host H] [--port P]``: serve the app with Solara on localhost."""
    parser = argparse.ArgumentParser(prog="python -m sim app", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    cmd = [sys.executable, "-m", "solara", "run", "sim.classroom.app", "--host", args.host,
           "--port", str(args.port), "--production", "--no-open"]
    print(f"classroom app: http://{args.host}:{args.port}  (Ctrl-C stops it)", flush=True)
    os.execve(sys.executable, cmd, env)  # become the server: one process to stop

