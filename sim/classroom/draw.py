"""What the classroom app draws, as plain SVG and HTML strings built from the model's arrays.

SVG rather than Matplotlib PNGs (1.75 s for five charts per step) or Vega (a JavaScript library
the offline page would have to serve): a day's drawing takes a few milliseconds to build and to
show, its text has a set pixel size, tick labels are formatted here (no offset notation), and
nothing but the strings goes to the browser. The network is two layers: the follower edges,
drawn once per model, and the users, redrawn each day. No module here imports Solara, so the
tests check these strings without a browser.
"""

from __future__ import annotations

import html
import math

import numpy as np

from ..model.population import AMPLIFIER, OFFICIAL, SOCKPUPPET
from ..report.style import ORIGIN_COLORS, ORIGIN_LABELS, STACK_ORDER
from ..vocabulary import ORIGINS, PAID_ORIGINS
from .model import COUNTERS, seen_today

# ColorBrewer PRGn, 11 classes: opinion -1 (purple, left) .. +1 (green, right)
OPINION_COLORS = (
    "#40004b",
    "#762a83",
    "#9970ab",
    "#c2a5cf",
    "#e7d4e8",
    "#f7f7f7",
    "#d9f0d3",
    "#a6dba0",
    "#5aae61",
    "#1b7837",
    "#00441b",
)
PAID_RING, ORGANIC_RING = ORIGIN_COLORS["ad"], ORIGIN_COLORS["owned"]
NET_W, NET_H = 100.0, 70.0  # the network's drawing units (scaled to the column's width)
CHART_W, CHART_H, FONT = 400, 230, 13  # chart units; FONT >= 11 px at the app's narrowest column
MAX_EDGES = 5000  # more follower edges than this are sampled (a grey haze either way)


def opinion_bin(opinion: np.ndarray) -> np.ndarray:
    return np.clip(
        ((np.asarray(opinion) + 1) / 2 * len(OPINION_COLORS)).astype(int), 0, len(OPINION_COLORS) - 1
    )


def _points(xy: np.ndarray) -> np.ndarray:
    """Layout [0, 1]^2 -> drawing units (y up)."""
    return np.column_stack([2 + xy[:, 0] * (NET_W - 4), 2 + (1 - xy[:, 1]) * (NET_H - 4)])


def _dots(pts: np.ndarray, diameter: float, color: str) -> str:
    """Round dots as zero-length strokes with round caps: one SVG element for many dots."""
    if not len(pts):
        return ""
    return _dot_path("".join(f"M{x:.1f} {y:.1f}h0" for x, y in pts), diameter, color)


def _dot_path(d: str, diameter: float, color: str) -> str:
    return (
        (f'<path d="{d}" stroke="{color}" stroke-width="{diameter:.2f}" stroke-linecap="round" fill="none"/>')
        if d
        else ""
    )


def dot_size(n: int) -> float:
    return min(max(1.6 * math.sqrt(300 / max(n, 1)), 0.9), 1.8)


def network_edges(run, layout: np.ndarray) -> str:
    """The follower edges at the start (a fixed sample of MAX_EDGES when there are more)."""
    from .model import follower_edges

    src, dst = follower_edges(run)
    if len(src) > MAX_EDGES:
        pick = np.sort(np.random.default_rng(0).choice(len(src), MAX_EDGES, replace=False))
        src, dst = src[pick], dst[pick]
    p = _points(layout)
    d = "".join(f"M{a:.1f} {b:.1f}L{c:.1f} {e:.1f}" for a, b, c, e in np.column_stack([p[src], p[dst]]))
    return (
        f'<svg class="sim-edges" viewBox="0 0 {NET_W:g} {NET_H:g}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet"><path d="{d}" stroke="#888" '
        'stroke-width="0.12" stroke-opacity="0.35" fill="none"/></svg>'
    )


class NetworkPicture:
    """The users' layer of one layout. Each user's pieces of SVG are formatted once (the
    layout does not move), so a day's picture is a few joins over the users who changed
    colour or ring: ~1 ms at 1,000 users."""

    def __init__(self, layout: np.ndarray, n: int):
        self.p = p = _points(layout)
        self.n, self.size = n, dot_size(n)
        self.dot = np.array([f"M{x:.1f} {y:.1f}h0" for x, y in p[:n]], dtype=object)
        self.ring = {
            r: np.array([f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.2f}"/>' for x, y in p[:n]], dtype=object)
            for r in (0.5 * self.size + 1.0, 0.5 * self.size + 0.45)
        }

    def nodes(self, run, day: int) -> str:
        """Users coloured by opinion; an orange ring: saw paid content today, a blue ring: saw
        organic content today; squares: campaign accounts (named), triangles: sockpuppets,
        diamonds: paid posters (amplifiers), x: suspended."""
        pop, n, size, p = run.population, self.n, self.size, self.p
        paid, organic = seen_today(run)
        kind = pop.kind
        regular = kind[:n] != AMPLIFIER
        bins = opinion_bin(pop.opinion)
        r_paid, r_org = self.ring
        parts = [
            f'<g fill="none" stroke="{PAID_RING}" stroke-width="0.45">{"".join(self.ring[r_paid][paid])}</g>',
            f'<g fill="none" stroke="{ORGANIC_RING}" stroke-width="0.4">'
            f"{''.join(self.ring[r_org][organic])}</g>",
            _dot_path("".join(self.dot[regular]), size + 0.35, "#555"),
        ]
        for b, color in enumerate(OPINION_COLORS):
            parts.append(_dot_path("".join(self.dot[regular & (bins[:n] == b)]), size, color))
        r = 1.1 * size
        shapes = []
        for i in np.flatnonzero(kind[:n] == AMPLIFIER):
            x, y = p[i]
            shapes.append(
                f'<path d="M{x:.1f} {y - r:.1f}l{r:.1f} {r:.1f}l{-r:.1f} {r:.1f}'
                f'l{-r:.1f} {-r:.1f}z" fill="{OPINION_COLORS[bins[i]]}"/>'
            )
        for i in n + np.flatnonzero(kind[n:] == SOCKPUPPET):
            x, y = p[i]
            shapes.append(
                f'<path d="M{x - r:.1f} {y - r:.1f}h{2 * r:.1f}l{-r:.1f} {2 * r:.1f}z" '
                f'fill="{OPINION_COLORS[bins[i]]}"/>'
            )
        accounts = [
            (camp.official, camp.cfg.name) for camp in run.campaigns if kind[camp.official] == OFFICIAL
        ]
        for i, _ in accounts:
            x, y = p[i]
            shapes.append(
                f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" '
                f'height="{2 * r:.1f}" fill="{OPINION_COLORS[bins[i]]}"/>'
            )
        labels = [
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{html.escape(name)}</text>'
            for (x, y, anchor, _), (_, name) in zip(
                place_labels(p[[i for i, _ in accounts]], [nm for _, nm in accounts], r), accounts
            )
        ]
        parts.append(f'<g stroke="#000" stroke-width="0.3">{"".join(shapes)}</g>')
        gone = p[np.flatnonzero(pop.suspended)]
        if len(gone):
            d = "".join(
                f"M{x - r:.1f} {y - r:.1f}l{2 * r:.1f} {2 * r:.1f}m0 {-2 * r:.1f}l{-2 * r:.1f} {2 * r:.1f}"
                for x, y in gone
            )
            parts.append(f'<path d="{d}" stroke="#000" stroke-width="0.6"/>')
        parts.append(
            f'<g font-size="{LABEL_FONT}" font-weight="bold" fill="#000" stroke="#fff" '
            f'stroke-width="0.5" paint-order="stroke">{"".join(labels)}</g>'
        )
        return (
            f'<svg class="sim-nodes" data-day="{day}" viewBox="0 0 {NET_W:g} {NET_H:g}" '
            f'width="100%" preserveAspectRatio="xMidYMid meet">{"".join(parts)}</svg>'
        )


LABEL_FONT = 3.4  # the account labels' size in drawing units (~11 px at a 330-px-wide network)


def label_width(name: str) -> float:
    """A generous width of a bold label in drawing units (0.64 em a character)."""
    return 0.64 * LABEL_FONT * len(name)


def place_labels(points: np.ndarray, names, r: float) -> list[tuple]:
    """(x, y, anchor, box) per account label: the first of a few spots around its square that
    lies inside the picture and clear of the labels placed before it, else the one that overlaps
    least. ``box`` = (x0, y0, x1, y1) in drawing units, text baseline at y."""
    placed, out = [], []
    h = LABEL_FONT
    for (px, py), name in zip(points, names):
        w = label_width(name)
        spots = [
            (px + r + 0.6, py - r + 0.8 * h, "start"),
            (px - r - 0.6, py - r + 0.8 * h, "end"),
            (px + r + 0.6, py + r + 0.8 * h, "start"),
            (px - r - 0.6, py + r + 0.8 * h, "end"),
            (px - w / 2, py - r - 0.6, "middle"),
            (px - w / 2, py + r + 0.6 + 0.8 * h, "middle"),
        ]
        spots += [(px + r + 0.6, py + dy, "start") for dy in (-2.2 * h, 2.2 * h, -3.4 * h, 3.4 * h)]
        spots += [(px - r - 0.6, py + dy, "end") for dy in (-2.2 * h, 2.2 * h, -3.4 * h, 3.4 * h)]
        best = None
        for x, y, anchor in spots:
            x0 = x if anchor == "start" else x - w if anchor == "end" else x
            box = (x0, y - 0.8 * h, x0 + w, y + 0.2 * h)
            # pull a box that sticks out back inside the picture
            dx = max(0.3 - box[0], 0) - max(box[2] - (NET_W - 0.3), 0)
            dy = max(0.3 - box[1], 0) - max(box[3] - (NET_H - 0.3), 0)
            box = (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
            bad = sum(_overlap(box, b) for b in placed)
            if best is None or bad < best[0]:
                best = (bad, box)
            if bad == 0:
                break
        box = best[1]
        placed.append(box)
        out.append((box[0], box[3] - 0.2 * h, "start", box))
    return out


def _overlap(a, b) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def opinion_bar() -> str:
    """The colour bar of the users' dots."""
    w = 22
    cells = "".join(
        f'<rect x="{60 + i * w}" y="4" width="{w}" height="12" fill="{c}" stroke="#999" stroke-width="0.5"/>'
        for i, c in enumerate(OPINION_COLORS)
    )
    end = 60 + w * len(OPINION_COLORS)
    return (
        f'<svg class="sim-opinion-bar" viewBox="0 0 {end + 64} 34" width="{end + 64}" '
        f'height="34" font-size="{FONT}"><text x="0" y="14">opinion</text>{cells}'
        f'<text x="60" y="30">-1 (left)</text><text x="{(60 + end) / 2:.0f}" y="30" '
        f'text-anchor="middle">0</text><text x="{end}" y="30" text-anchor="end">'
        "+1 (right)</text></svg>"
    )


# ---------------------------------------------------------------- charts


def nice_ticks(lo: float, hi: float, count: int = 5) -> tuple[np.ndarray, float]:
    """Round tick values covering [lo, hi] and their spacing."""
    span = hi - lo if hi > lo else abs(hi) or 1.0
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step + 1e-9) * step
    ticks = np.arange(first, hi + step * 0.999, step)
    return ticks, step


def tick_label(value: float, step: float) -> str:
    """As many decimals as the spacing needs, thousands separated: never offset notation."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    if step < 1 and not math.isclose(step * 10**decimals % 1, 0, abs_tol=1e-6):
        decimals += 1
    return f"{value:,.{decimals}f}"


class _Axes:
    """A plot area in chart units with a title, ticks and labels."""

    R, T, B = 12, 26, 36

    def __init__(self, days: int, ylim: tuple[float, float], title: str, ylabel: str, ysuffix: str = ""):
        self.days, (self.y0, self.y1) = days, ylim
        yt, ys = nice_ticks(self.y0, self.y1)
        yt = yt[(yt >= self.y0 - 1e-9) & (yt <= self.y1 + 1e-9)]
        ylabels = [tick_label(v, ys) + ysuffix for v in yt]
        self.L = round(30 + 0.62 * FONT * max(map(len, ylabels), default=1))  # room for the tick labels
        self.w, self.h = CHART_W - self.L - self.R, CHART_H - self.T - self.B
        self.parts = [
            f'<text x="{CHART_W / 2}" y="17" text-anchor="middle" font-weight="bold">'
            f"{html.escape(title)}</text>"
        ]
        for v, text in zip(yt, ylabels):
            y = self.y(v)
            self.parts.append(
                f'<line x1="{self.L}" x2="{self.L + self.w}" y1="{y:.1f}" '
                f'y2="{y:.1f}" stroke="#e3e3e3"/><text x="{self.L - 5}" '
                f'y="{y + 4:.1f}" text-anchor="end">{text}</text>'
            )
        xt, xs = nice_ticks(1, days, 6)
        for v in xt[(xt >= 1) & (xt <= days)]:
            self.parts.append(
                f'<text x="{self.x(v):.1f}" y="{self.T + self.h + 16}" '
                f'text-anchor="middle">{tick_label(v, max(xs, 1))}</text>'
            )
        self.parts.append(
            f'<text x="{self.L + self.w / 2}" y="{CHART_H - 3}" text-anchor="middle">day</text>'
        )
        self.parts.append(
            f'<text transform="translate(13 {self.T + self.h / 2}) rotate(-90)" '
            f'text-anchor="middle">{html.escape(ylabel)}</text>'
        )

    def x(self, day):
        return self.L + (np.asarray(day, float) - 0.5) / self.days * self.w

    def y(self, v):
        return self.T + self.h - (np.asarray(v, float) - self.y0) / (self.y1 - self.y0) * self.h

    def svg(self, cls: str, day: int) -> str:
        frame = (
            f'<rect x="{self.L}" y="{self.T}" width="{self.w}" height="{self.h}" fill="none" stroke="#999"/>'
        )
        return (
            f'<svg class="sim-chart {cls}" data-day="{day}" viewBox="0 0 {CHART_W} {CHART_H}" '
            f'width="100%" font-size="{FONT}" font-family="sans-serif">'
            f"{''.join(self.parts)}{frame}</svg>"
        )


def origin_series(run) -> dict[str, np.ndarray]:
    """Daily impressions by origin (days 1..today), summed over campaigns, from the steps
    table."""
    t = run.metrics.steps_table()
    step = np.asarray(t.get("step", []), dtype=int)
    return {
        o: np.bincount(step, weights=t[f"impressions_{o}"], minlength=run.steps + 1)[1:]
        if len(step)
        else np.zeros(0)
        for o in ORIGINS
    }


def daily_peak(runs) -> float:
    """The highest day's impressions over the runs: one y scale for side-by-side charts."""
    return max([float(sum(origin_series(r).values()).max(initial=0)) for r in runs] + [1.0])


def origins_chart(run, days: int, ymax: float, title: str) -> str:
    """Impressions per day by origin, stacked bars (paid origins at the bottom, warm)."""
    ticks, _ = nice_ticks(0, ymax)
    ax = _Axes(days, (0, float(ticks[-1])), title, "impressions per day")
    series = origin_series(run)
    width = 0.8 * ax.w / days
    base = np.zeros(run.steps)
    for o in STACK_ORDER:
        top = base + series[o]
        bars = "".join(
            f'<rect x="{x - width / 2:.1f}" y="{y1:.1f}" width="{width:.1f}" height="{y0 - y1:.1f}"/>'
            for x, y0, y1 in zip(ax.x(np.arange(1, run.steps + 1)), ax.y(base), ax.y(top))
            if y0 - y1 > 0.05
        )
        ax.parts.append(f'<g fill="{ORIGIN_COLORS[o]}">{bars}</g>')
        base = top
    return ax.svg("sim-origins", run.steps)


def lines_chart(
    lines, days: int, ylim, title: str, ylabel: str, cls: str, day: int, ysuffix: str = ""
) -> str:
    """Lines (label, values for days 1..today, colour, dashed) with a dot on each day."""
    ax = _Axes(days, ylim, title, ylabel, ysuffix)
    for label, values, color, dashed in lines:
        values = np.asarray(values, float)
        ok = np.isfinite(values)
        xs, ys = ax.x(np.arange(1, len(values) + 1))[ok], ax.y(values)[ok]
        if not len(xs):
            continue
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
        ax.parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{color}" '
            f'stroke-width="2"{dash}><title>{html.escape(label)}</title></polyline>'
        )
        ax.parts.append(_dots(np.column_stack([xs, ys]), 4, color))
    return ax.svg(cls, day)


def money_share_series(run) -> np.ndarray:
    """Money share of political reach so far, day by day."""
    t = run.metrics.steps_table()
    if len(t.get("step", [])) == 0:
        return np.zeros(0)
    political = np.isin(t["campaign"], [c.cfg.name for c in run.campaigns if c.cfg.political])
    step = t["step"].astype(int)
    paid = sum(t[f"impressions_{o}"] for o in PAID_ORIGINS)
    n = run.steps + 1
    cum_paid = np.cumsum(np.bincount(step[political], weights=paid[political], minlength=n))[1:]
    cum_all = np.cumsum(np.bincount(step[political], weights=t["impressions"][political], minlength=n))[1:]
    return np.divide(cum_paid, cum_all, out=np.full(len(cum_all), np.nan), where=cum_all > 0)


def vote_series(run) -> np.ndarray:
    """The first campaign's expected vote share, day by day."""
    t = run.metrics.steps_table()
    if len(t.get("step", [])) == 0:
        return np.zeros(0)
    return t["vote_share"][t["campaign"] == run.campaigns[0].cfg.name].astype(float)


def vote_limits(values: list[np.ndarray], start: float) -> tuple[float, float]:
    """A y range around the vote shares (in %), at least 0.2 points wide."""
    v = np.concatenate([100 * np.asarray(x, float) for x in values] + [[100 * start]])
    v = v[np.isfinite(v)]
    lo, hi = float(v.min()), float(v.max())
    mid, half = (lo + hi) / 2, max((hi - lo) / 2 * 1.2, 0.1)
    ticks, _ = nice_ticks(mid - half, mid + half)
    return float(ticks[0]), float(ticks[-1])


# ---------------------------------------------------------------- the counters


def fmt_counter(key: str, value) -> str:
    """How a counter reads on screen (the tests format the in-process model's values alike)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if key == "money_share":
        return f"{100 * value:.0f}%"
    if key in ("spend", "budget"):
        return f"{value:,.2f}"
    if key == "vote_share_change":
        return f"{100 * value:+.3f}"
    return f"{int(value):,}"


HEADINGS = {
    **{f"impressions_{o}": ORIGIN_LABELS[o] for o in ORIGINS},
    **{k: h for k, h in COUNTERS if not k.startswith("impressions_")},
}


def counters_table(regimes, labels, colors, counters) -> str:
    """One table: per regime, one row per campaign, every counter of ``COUNTERS``."""
    keys = [k for k, _ in COUNTERS]
    head = "".join(f'<th data-key="{k}">{html.escape(HEADINGS[k])}</th>' for k in keys)
    rows = []
    for regime, label, color, camps in zip(regimes, labels, colors, counters):
        rows.append(
            f'<tr class="sim-regime-row"><th colspan="{len(keys) + 1}" '
            f'style="border-left:6px solid {color}">{html.escape(label)}</th></tr>'
        )
        for c in camps:
            cells = "".join(f'<td data-key="{k}">{fmt_counter(k, c[k])}</td>' for k in keys)
            rows.append(
                f'<tr data-regime="{html.escape(regime)}" '
                f'data-campaign="{html.escape(c["campaign"])}"><th>'
                f"{html.escape(c['campaign'])}</th>{cells}</tr>"
            )
    return (
        f'<table class="sim-counters"><thead><tr><th>campaign</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def origin_legend() -> str:
    items = "".join(
        f'<span class="sim-swatch" style="background:{ORIGIN_COLORS[o]}"></span>'
        f"{html.escape(ORIGIN_LABELS[o])}&nbsp;&nbsp; "
        for o in STACK_ORDER
    )
    return f'<div class="sim-legend">{items}</div>'
