"""Charts drawn as SVG by the templates: the geometry is computed here.

No script and no inline style: the shapes carry coordinates (attributes,
which the content security policy allows) and a class that the stylesheet
colours. Each chart is a picture with a title for screen readers; its
numbers are in the table beside it, which is what assistive technology and
copying use.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

# The drawing's own units: the SVG scales to its box.
WIDTH = 640
HEIGHT = 220
BAR_HEIGHT = 18
BAR_GAP = 6
# Room on the left for the bars' labels, and on the right for the values.
LABEL_WIDTH = 240
VALUE_WIDTH = 80
BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH
# A label longer than this is shortened in the drawing (whole in the table).
LABEL_CHARACTERS = 34


def short(label: str) -> str:
    return (
        label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    # The second value drawn over the first (e.g. approved of all active).
    inner_width: float = 0.0
    inner_value: int = 0
    over: bool = False
    text: str = ""

    @property
    def x(self) -> int:
        return LABEL_WIDTH

    @property
    def end(self) -> float:
        """Return where the value's text starts: after the longer bar."""
        return round(LABEL_WIDTH + max(self.width, self.inner_width) + 4, 2)

    @property
    def middle(self) -> float:
        """Return the baseline of the bar's texts, in its middle."""
        return round(self.y + BAR_HEIGHT * 0.7, 2)


@dataclass(frozen=True)
class Column:
    day: date
    x: float
    width: float
    # (status, y, height, count) from the bottom up.
    parts: tuple[tuple[str, float, float, int], ...]


def _bar_chart(drawn: list[Bar]) -> dict:
    return {
        "bars": drawn,
        "height": max(len(drawn) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT),
        "width": WIDTH,
        "bar_height": BAR_HEIGHT,
        "label_width": LABEL_WIDTH,
    }


def bars(items: Sequence[tuple[str, int, int]], *, limit: int | None = None) -> dict:
    """Return horizontal bars: ``(label, value, inner value)`` each.

    ``limit`` is the value of a full bar (a session's capacity); by default
    the largest value. A bar whose inner value passes the limit is ``over``.
    """
    largest = max([value for _l, value, _i in items] + [limit or 0, 1])
    scale = BAR_AREA / largest
    drawn = []
    for place, (label, value, inner) in enumerate(items):
        drawn.append(
            Bar(
                label=label,
                text=short(label),
                value=value,
                y=place * (BAR_HEIGHT + BAR_GAP),
                width=round(value * scale, 2),
                inner_width=round(min(inner, largest) * scale, 2),
                inner_value=inner,
                over=limit is not None and inner > limit,
            )
        )
    return _bar_chart(drawn)


def capacity_bars(items: Sequence[tuple[str, int, int | None]]) -> dict:
    """Return one bar per session: seats taken, against its capacity if any.

    The full width is the largest of the capacities and the seats taken; the
    outer bar is the capacity, the inner one the seats taken.
    """
    largest = max(
        [max(capacity or 0, taken) for _label, taken, capacity in items] + [1]
    )
    scale = BAR_AREA / largest
    drawn = [
        Bar(
            label=label,
            text=short(label),
            value=capacity or 0,
            y=place * (BAR_HEIGHT + BAR_GAP),
            width=round((capacity or 0) * scale, 2),
            inner_width=round(taken * scale, 2),
            inner_value=taken,
            over=capacity is not None and taken > capacity,
        )
        for place, (label, taken, capacity) in enumerate(items)
    ]
    return _bar_chart(drawn)


def stacked_columns(
    days: Sequence[tuple[date, dict[str, int]]], statuses: Sequence[str]
) -> dict:
    """Return one column per day, stacked by status in the order given."""
    largest = max([sum(counts.values()) for _day, counts in days] + [1])
    step = WIDTH / max(len(days), 1)
    width = max(step * 0.8, 1)
    columns = []
    for place, (day, counts) in enumerate(days):
        bottom = HEIGHT
        parts = []
        for status in statuses:
            count = counts.get(status, 0)
            if not count:
                continue
            height = count / largest * HEIGHT
            bottom -= height
            parts.append((status, round(bottom, 2), round(height, 2), count))
        columns.append(
            Column(
                day=day,
                x=round(place * step, 2),
                width=round(width, 2),
                parts=tuple(parts),
            )
        )
    return {"columns": columns, "width": WIDTH, "height": HEIGHT, "largest": largest}
