"""Charts as inline SVG drawn on the server: no script, no external asset, printable.

Each function takes plain numbers and already formatted labels and returns an ``<svg>``
string whose ``viewBox`` scales to the width it is given (a phone's 390 px or a desktop's
column). Every bar carries ``data-month`` and a ``<title>`` so a person hovering, a screen
reader and a test can all read it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

WIDTH = 480
HEIGHT = 220
LEFT = 68  # room for the amounts on the axis ("CN¥20,000")
RIGHT = 8
TOP = 14
BOTTOM = 28  # room for the month labels


def _scale(top_value: Decimal) -> Decimal:
    """A round ceiling for the axis: 1, 2 or 5 × a power of ten, at least ``top_value``."""
    if top_value <= 0:
        return Decimal(1)
    power = Decimal(1)
    while power * 10 <= top_value:
        power *= 10
    while power > top_value:
        power /= 10
    for step in (1, 2, 5, 10):
        if power * step >= top_value:
            return power * step
    return power * 10  # pragma: no cover - the loop always returns


def _axis(top: Decimal, axis_label: Callable[[Decimal], str]) -> list[str]:
    parts = []
    plot = HEIGHT - TOP - BOTTOM
    for fraction in (Decimal(0), Decimal("0.5"), Decimal(1)):
        y = TOP + plot - float(fraction) * plot
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(axis_label(top * fraction))}</text>"
        )
    return parts


def dues_chart(
    months: Sequence[tuple[str, Decimal, bool]],
    budget: Decimal | None,
    *,
    label: Callable[[str], str],
    amount: Callable[[Decimal], str],
    axis_label: Callable[[Decimal], str],
    title: str,
    over_text: str,
) -> str:
    """Bars of each month's dues (``(YYYY-MM, due, over budget)``), one per month, and the
    budget as a dashed line; a bar over the budget is drawn in the warning colour."""
    top = _scale(max([due for _, due, _ in months] + [budget or Decimal(0)]))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(months), 1)
    bar = min(slot * 0.62, 40)
    every = max(1, -(-len(months) // 6))  # at most about six month labels
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        *_axis(top, axis_label),
    ]
    for index, (month, due, over) in enumerate(months):
        height = float(due / top) * plot_h
        x = LEFT + index * slot + (slot - bar) / 2
        y = TOP + plot_h - height
        css = "bar over" if over else "bar"
        note = f" ({over_text})" if over else ""
        parts.append(
            f'<rect class="{css}" data-month="{month}" data-due="{due}" x="{x:.1f}" '
            f'y="{y:.1f}" width="{bar:.1f}" height="{max(height, 0.5):.1f}" rx="3">'
            f"<title>{escape(label(month))}: {escape(amount(due))}{escape(note)}</title></rect>"
        )
        if index % every == 0:
            parts.append(
                f'<text class="month" x="{x + bar / 2:.1f}" y="{HEIGHT - 10}" '
                f'text-anchor="middle">{escape(label(month))}</text>'
            )
    if budget is not None:
        y = TOP + plot_h - float(budget / top) * plot_h
        parts.append(
            f'<line class="budget" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def balance_chart(
    points: Sequence[tuple[str, Decimal]],
    *,
    label: Callable[[str], str],
    amount: Callable[[Decimal], str],
    axis_label: Callable[[Decimal], str],
    title: str,
) -> str:
    """The balance left at the end of each month until it reaches zero, as a filled area
    with a point per month; month labels thinned so they never overlap."""
    top = _scale(max([value for _, value in points] + [Decimal(0)]))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    count = len(points)
    step = plot_w / max(count - 1, 1)

    def xy(index: int, value: Decimal) -> tuple[float, float]:
        x = LEFT + (index * step if count > 1 else plot_w / 2)
        return x, TOP + plot_h - float(value / top) * plot_h

    coords = [xy(index, value) for index, (_, value) in enumerate(points)]
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        *_axis(top, axis_label),
    ]
    if coords:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        base = TOP + plot_h
        parts.append(
            f'<polygon class="area" points="{coords[0][0]:.1f},{base} {line} '
            f'{coords[-1][0]:.1f},{base}"/><polyline class="line" points="{line}"/>'
        )
    every = max(1, -(-count // 6))  # at most about six labels
    for index, ((month, value), (x, y)) in enumerate(zip(points, coords, strict=True)):
        parts.append(
            f'<circle class="point" data-month="{month}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(label(month))}: {escape(amount(value))}</title></circle>"
        )
        near_last = 0 < count - 1 - index < every / 2
        if (index % every == 0 and not near_last) or index == count - 1:
            anchor = "end" if index == count - 1 and count > 1 else "middle"
            parts.append(
                f'<text class="month" x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}">'
                f"{escape(label(month))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
