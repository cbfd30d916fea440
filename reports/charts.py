"""Charts a leader looks at rather than reads, as SVG text written here (no plotting library): a line
chart of monthly shares or rates per domain, a bar chart of the matter types with the most
dissatisfaction, and the matter types rising in towns (this month against the mean before).

Each function takes plain data and returns the SVG document as a string; the same data give the
same text. Chinese labels use the reader's Chinese sans-serif font.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from pydantic import BaseModel, ConfigDict

from domain.analysis import Analysis, MonthFigures

FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Zen Hei',sans-serif"
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")
WIDTH = 860


class LineSeries(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    values: tuple[float | None, ...]
    """One per category; None leaves a gap in the line."""


class LineChart(BaseModel):
    model_config = ConfigDict(frozen=True)
    title: str
    categories: tuple[str, ...]
    series: tuple[LineSeries, ...]
    percent: bool = True
    """Values are ratios shown as percentages."""
    from_zero: bool = True
    """The axis starts at 0 (shares); False: it spans the values (rates that all lie at 90–99%
    would be one flat line on a 0–100% axis)."""


class Bar(BaseModel):
    model_config = ConfigDict(frozen=True)
    label: str
    value: float
    reference: float | None = None
    """Drawn as a mark on the bar, e.g. the mean of the months before."""
    note: str = ""


class BarChart(BaseModel):
    model_config = ConfigDict(frozen=True)
    title: str
    bars: tuple[Bar, ...]
    unit: str = ""
    reference_label: str = ""


def _text(
    x: float, y: float, text: str, size: int = 12, anchor: str = "start", weight: str = "normal", fill: str = "#333"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
        f'fill="{fill}">{escape(text)}</text>'
    )


def _svg(height: float, title: str, body: list[str]) -> str:
    return (
        "\n".join(
            [
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
                f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="{escape(FONT)}">',
                f"<title>{escape(title)}</title>",
                f'<rect width="{WIDTH}" height="{height:.0f}" fill="#fff"/>',
                _text(WIDTH / 2, 30, title, 18, "middle", "bold"),
                *body,
                "</svg>",
            ]
        )
        + "\n"
    )


def _nice_top(value: float) -> tuple[float, float]:
    """A round top of the axis at or above ``value``, and its tick step (5 ticks at most)."""
    if value <= 0:
        return 1.0, 0.2
    magnitude = 10 ** math.floor(math.log10(value / 5))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude * 5 >= value)
    return step * math.ceil(value / step - 1e-9), step


def _nice_range(values: list[float], from_zero: bool) -> tuple[float, float, float]:
    """The axis's bottom, top and tick step: from 0, or round values just around the data."""
    if from_zero or not values:
        top, step = _nice_top(max(values, default=0))
        return 0.0, top, step
    low, high = min(values), max(values)
    span = max(high - low, 0.1)  # at least 10 points: a flat line stays a line, not noise magnified
    _, step = _nice_top(span)
    bottom, top = step * math.floor(low / step + 1e-9), step * math.ceil(high / step - 1e-9)
    while top - bottom < span - 1e-9:
        if top + step <= max(1.0, high) + 1e-9:
            top += step
        else:
            bottom -= step
    return round(max(0.0, bottom), 9), round(top, 9), step


def _label(value: float, percent: bool) -> str:
    return f"{round(value * 100, 2):g}%" if percent else f"{round(value, 6):g}"


def line_chart(chart: LineChart) -> str:
    left, right, top, bottom = 60, 190, 50, 50
    height = 420
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    values = [v for s in chart.series for v in s.values if v is not None]
    y_bottom, y_top, step = _nice_range(values, chart.from_zero)
    n = len(chart.categories)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - y_bottom) / (y_top - y_bottom))

    body: list[str] = []
    for k in range(round((y_top - y_bottom) / step) + 1):
        tick = y_bottom + k * step
        body += [
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}" stroke="#e5e5e5"/>',
            _text(left - 8, y(tick) + 4, _label(tick, chart.percent), 11, "end"),
        ]
    every = max(1, math.ceil(n / 12))  # at most 12 month labels
    body += [_text(x(i), top + plot_h + 20, c, 11, "middle") for i, c in enumerate(chart.categories) if i % every == 0]
    for number, series in enumerate(chart.series):
        colour = PALETTE[number % len(PALETTE)]
        segment: list[str] = []
        for i, v in enumerate((*series.values, None)):
            if v is not None:
                segment.append(f"{x(i):.1f},{y(v):.1f}")
                body.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
            elif segment:
                body.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" stroke-width="2"/>')
                segment = []
        legend_y = top + 10 + number * 20
        body += [
            f'<rect x="{WIDTH - right + 20}" y="{legend_y - 9}" width="14" height="10" fill="{colour}"/>',
            _text(WIDTH - right + 40, legend_y, series.name, 12),
        ]
    return _svg(height, chart.title, body)


def bar_chart(chart: BarChart) -> str:
    left, right, top, row = 220, 120, 55, 30
    height = top + row * max(len(chart.bars), 1) + 40
    plot_w = WIDTH - left - right
    x_top, _ = _nice_top(max((max(b.value, b.reference or 0) for b in chart.bars), default=0))
    body: list[str] = []
    for i, b in enumerate(chart.bars):
        y = top + i * row
        width = plot_w * b.value / x_top
        body += [
            _text(left - 8, y + 17, b.label, 12, "end"),
            f'<rect x="{left}" y="{y + 5}" width="{width:.1f}" height="{row - 10}" fill="{PALETTE[1 if b.reference is None else 0]}"/>',
            _text(left + width + 6, y + 17, f"{b.value:g}{chart.unit}" + (f"  {b.note}" if b.note else ""), 11),
        ]
        if b.reference is not None:
            rx = left + plot_w * b.reference / x_top
            body.append(
                f'<line x1="{rx:.1f}" y1="{y + 2}" x2="{rx:.1f}" y2="{y + row - 2}" stroke="#333" stroke-width="2"/>'
            )
    if not chart.bars:
        body.append(_text(WIDTH / 2, top + 20, "本期无数据", 13, "middle"))
    if chart.reference_label:
        body.append(_text(left, height - 12, f"竖线：{chart.reference_label}", 11))
    return _svg(height, chart.title, body)


def _period(analysis: Analysis) -> str:
    first, last = analysis.months[0], analysis.months[-1]
    return first if first == last else f"{first}至{last}"


def _domain_lines(analysis: Analysis, title: str, pick: str, top: int) -> str:
    def value(m: MonthFigures) -> float | None:
        return m.share if pick == "share" else m.satisfaction if pick == "satisfaction" else m.on_time_rate

    series = tuple(LineSeries(name=s.name, values=tuple(value(m) for m in s.months)) for s in analysis.domains[:top])
    return line_chart(
        LineChart(
            title=f"{title}（{_period(analysis)}）",
            categories=analysis.months,
            series=series,
            from_zero=pick == "share",
        )
    )


def domain_share_chart(analysis: Analysis, top: int = 8) -> str:
    """Each of the busiest domains' share of the month's requests."""
    return _domain_lines(analysis, "各领域诉求占比", "share", top)


def domain_satisfaction_chart(analysis: Analysis, top: int = 8) -> str:
    return _domain_lines(analysis, "各领域满意率", "satisfaction", top)


def domain_on_time_chart(analysis: Analysis, top: int = 8) -> str:
    return _domain_lines(analysis, "各领域按时办结率", "on_time", top)


def dissatisfaction_chart(analysis: Analysis) -> str:
    bars = tuple(
        Bar(
            label=m.name,
            value=m.dissatisfied,
            note="" if m.satisfaction is None else f"满意率{m.satisfaction * 100:.1f}%",
        )
        for m in analysis.most_dissatisfied
    )
    return bar_chart(BarChart(title=f"不满意最多的事项（{_period(analysis)}）", bars=bars, unit="件"))


def rising_chart(analysis: Analysis) -> str:
    bars = tuple(
        Bar(
            label=f"{r.town_name}·{r.name}",
            value=r.requests,
            reference=r.previous_mean,
            note=f"前期月均{r.previous_mean:.1f}",
        )
        for r in analysis.rising
    )
    return bar_chart(
        BarChart(
            title=f"各镇街上升明显的事项（{analysis.months[-1]}）",
            bars=bars,
            unit="件",
            reference_label="此前几个月的月均诉求量",
        )
    )
