"""Checks that a drawn figure cannot be misread; each returns the problems it finds (empty:
passed). :func:`sim.report.figures.figure` runs them on every figure it saves, records the
result in the figure's JSON sidecar and prints a warning for each problem; the tests assert
that the brief's figures pass.

- ``inside``: every text (titles, labels, tick labels, legends, notes) lies inside the canvas;
- ``one_error_bar``: no two error bars are drawn over each other (same x, overlapping
  heights): the reach figure once drew two per stacked bar, paid and total; two whiskers at
  one x but apart in height (two candidates at 50% of the spending) read fine;
- ``legend_drawn``: a legend entry drawn as a line stands for a line that is drawn (the
  money-advantage legend once showed slope lines that were never drawn);
- ``text_clear``: no note or annotation inside the axes is crossed by a drawn line (the
  diagonal once struck its own label; rotated labels sat on error caps);
- ``labels_apart``: axis labels, titles, legends and the figure's texts (the brief's
  sentences) do not overlap one another;
- ``panels_sized``: no panel is squeezed to a sliver by the layout.
"""

from __future__ import annotations

import numpy as np

MARGIN = 1.0  # pixels
MIN_PANEL_IN = 0.6  # inches: the smallest panel side that still shows its data


def inside(fig) -> list[str]:
    renderer = fig.canvas.get_renderer()
    box = fig.bbox

    def out_of(ext) -> bool:
        return (
            ext.x0 < box.x0 - MARGIN
            or ext.y0 < box.y0 - MARGIN
            or ext.x1 > box.x1 + MARGIN
            or ext.y1 > box.y1 + MARGIN
        )

    out = []
    for ax in fig.get_axes():  # what the panel draws: its labels, tick labels, title, texts
        if ax.get_visible() and out_of(ax.get_tightbbox(renderer)):
            out.append(
                f"panel {ax.get_title()[:40] or ax.get_ylabel()[:40]!r}: labels or ticks "
                "extend beyond the canvas"
            )
    figures = [fig, *fig.findobj(lambda a: a.__class__.__name__ == "SubFigure")]
    for sub in figures:  # titles, notes and footers of the figure and its subfigures
        for text in sub.texts + [t for t in (sub._suptitle, sub._supxlabel, sub._supylabel) if t]:
            if text.get_visible() and text.get_text().strip() and out_of(text.get_window_extent(renderer)):
                out.append(f"text {text.get_text()[:40]!r} extends beyond the canvas")
    for legend in fig.findobj(lambda a: a.__class__.__name__ == "Legend"):
        ext = legend.get_window_extent(renderer)
        if ext.x0 < box.x0 + MARGIN or ext.x1 > box.x1 - MARGIN or ext.y0 < box.y0 - MARGIN:
            out.append("a legend touches or crosses the canvas edge")
    return out


def one_error_bar(fig) -> list[str]:
    from matplotlib.container import ErrorbarContainer

    out = []
    for ax in fig.get_axes():
        at = {}  # x: the (low, high) of every whisker drawn there
        for container in ax.containers:
            if isinstance(container, ErrorbarContainer):
                lines = container.lines[2]
                for coll in lines:
                    for seg in coll.get_segments():
                        if len(seg):  # a whisker of NaN (one seed) has no points
                            ys = sorted(float(p[1]) for p in seg)
                            at.setdefault(round(float(seg[0][0]), 9), []).append((ys[0], ys[-1]))
        dup = 0
        for spans in at.values():  # whiskers at one x that share some height: drawn over each other
            spans.sort()
            dup += sum(later[0] <= earlier[1] for earlier, later in zip(spans, spans[1:]))
        if dup:
            out.append(f"{dup} bar(s) of panel {ax.get_title()!r} carry more than one error bar")
    return out


def legend_drawn(fig) -> list[str]:
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D

    drawn = set()
    for ax in fig.get_axes():
        for line in ax.lines:
            if len(line.get_xdata()) > 1 and line.get_linestyle() not in ("None", "", " "):
                drawn.add(to_rgba(line.get_color()))
    out = []
    legends = fig.findobj(lambda a: a.__class__.__name__ == "Legend")
    for legend in legends:
        for handle, text in zip(legend.legend_handles, legend.get_texts()):
            if isinstance(handle, Line2D) and handle.get_linestyle() not in ("None", "", " "):
                if to_rgba(handle.get_color()) not in drawn:
                    out.append(f"legend entry {text.get_text()[:40]!r} shows a line that is not drawn")
    return out


def text_clear(fig) -> list[str]:
    renderer = fig.canvas.get_renderer()
    out = []
    for ax in fig.get_axes():
        notes = [t for t in (*ax.texts,) if t.get_visible() and t.get_text().strip()]
        if not notes:
            continue
        points = []
        for line in ax.lines:
            xy = line.get_xydata()
            if len(xy) < 2 or line.get_linestyle() in ("None", "", " "):
                points.append(line.get_transform().transform(xy) if len(xy) else np.empty((0, 2)))
                continue
            t = np.linspace(0, 1, 60)[:, None]
            dense = np.concatenate([a + t * (b - a) for a, b in zip(xy[:-1], xy[1:])])
            points.append(line.get_transform().transform(dense))
        for coll in ax.collections:
            for seg in getattr(coll, "get_segments", lambda: [])():
                seg = np.asarray(seg)
                if len(seg) >= 2:
                    t = np.linspace(0, 1, 30)[:, None]
                    dense = np.concatenate([a + t * (b - a) for a, b in zip(seg[:-1], seg[1:])])
                    points.append(coll.get_transform().transform(dense))
        pts = np.concatenate(points) if points else np.empty((0, 2))
        for note in notes:
            ext = note.get_window_extent(renderer)
            hit = (
                (
                    (pts[:, 0] > ext.x0) & (pts[:, 0] < ext.x1) & (pts[:, 1] > ext.y0) & (pts[:, 1] < ext.y1)
                ).any()
                if len(pts)
                else False
            )
            if hit:
                out.append(f"note {note.get_text()[:40]!r} is crossed by a drawn line")
    return out


def labels_apart(fig) -> list[str]:
    """No two of the axis labels, panel titles, figure titles and legends overlap (a tall
    axis label once ran into the title above its panel)."""
    renderer = fig.canvas.get_renderer()
    items = []
    for ax in fig.get_axes():
        if not ax.get_visible():
            continue
        for text in (ax.xaxis.label, ax.yaxis.label, ax.title, ax._left_title, ax._right_title):
            if text.get_visible() and text.get_text().strip():
                items.append((text.get_text(), text.get_window_extent(renderer)))
    figures = [fig, *fig.findobj(lambda a: a.__class__.__name__ == "SubFigure")]
    for sub in figures:  # with the figures' own texts (the brief's sentences)
        texts = {id(t): t for t in (sub._suptitle, sub._supxlabel, sub._supylabel, *sub.texts) if t}
        for text in texts.values():  # (a suptitle is one of the texts too)
            if text.get_visible() and text.get_text().strip():
                items.append((text.get_text(), text.get_window_extent(renderer)))
    for legend in fig.findobj(lambda a: a.__class__.__name__ == "Legend"):
        items.append(("legend", legend.get_window_extent(renderer)))
    out = []
    for i, (a, ea) in enumerate(items):
        for b, eb in items[i + 1 :]:
            w = min(ea.x1, eb.x1) - max(ea.x0, eb.x0)
            h = min(ea.y1, eb.y1) - max(ea.y0, eb.y0)
            if w > MARGIN and h > MARGIN:
                out.append(f"{a[:30]!r} overlaps {b[:30]!r}")
    return out


def panels_sized(fig) -> list[str]:
    """Every panel keeps a readable size: a layout with no room left (too many panels, a tall
    legend) shrinks axes to slivers, as the brief's reach panel with nine campaigns once was."""
    out = []
    for ax in fig.get_axes():
        if not ax.get_visible():
            continue
        box = ax.get_position(original=False).transformed(fig.transFigure)
        if min(box.width, box.height) < MIN_PANEL_IN * fig.dpi:
            name = ax.get_title()[:40] or ax.get_ylabel()[:40]
            out.append(f"panel {name!r} is {box.width / fig.dpi:.2f} x {box.height / fig.dpi:.2f} in")
    return out


CHECKS = {
    "inside": inside,
    "one_error_bar": one_error_bar,
    "legend_drawn": legend_drawn,
    "text_clear": text_clear,
    "labels_apart": labels_apart,
    "panels_sized": panels_sized,
}


def check(fig) -> dict[str, list[str]]:
    """Every check's problems (drawn first, so that sizes and positions are final)."""
    fig.canvas.draw()
    found = {}
    for name, fn in CHECKS.items():
        try:
            found[name] = fn(fig)
        except Exception as exc:  # noqa: BLE001 - a check must never stop a report
            found[name] = [f"the check could not run ({type(exc).__name__}: {exc})"]
    return found
