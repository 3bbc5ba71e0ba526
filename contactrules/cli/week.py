"""``contactrules calendar``: a week's allowed hours as a grid officers can read at a glance.

(The module is not named after its command: ``calendar`` is a standard-library module.)

Every cell is judged by the engine itself (no separate reading of the rules), at the cell's
first instant, for a synthetic consumer at the given location with no history, so the picture
shows exactly what hours, day types, holidays and DST do to a fresh contact. Calls and texts are
drawn as dialled by hand unless told otherwise: the synthetic consumer has no number and no
consent to automated calls, so a possibly automated call would be denied by the TCPA in every
cell and the picture would show nothing of the hours. Cells whose wall time does not exist (the
spring-forward gap) are marked separately.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from ..engine import Engine
from ..models import Address, Channel, Consumer, Contact, Debt, DialMethod, Template

__all__ = ["WeekGrid", "build_week", "render_svg", "render_text", "run"]

SLOT_MINUTES = 30
SLOTS = 24 * 60 // SLOT_MINUTES
DISCLOSING_TEXT = (
    "This is an attempt to collect a debt and any information obtained will be used for that "
    "purpose. This communication is from a debt collector. This call may be recorded. Reply "
    "STOP to opt out."
)


@dataclass(frozen=True)
class DayRow:
    day: dt.date
    cells: tuple[str, ...]  # "allow", "deny", "gap"
    notes: tuple[str, ...]


@dataclass(frozen=True)
class WeekGrid:
    title: str
    zone: str
    zones: tuple[str, ...]
    rulesets: tuple[str, ...]
    rows: tuple[DayRow, ...]


def _consumer(country: str, subdivision: str | None, zone: str | None) -> Consumer:
    return Consumer(
        id="calendar",
        addresses=[Address(country=country, subdivision=subdivision)],
        zones=[zone] if zone else [],
        debts=[Debt(id="D")],
    )


def build_week(
    engine: Engine,
    *,
    country: str,
    subdivision: str | None,
    channel: Channel,
    start: dt.date,
    zone: str | None = None,
    dial_method: DialMethod | None = DialMethod.MANUAL,
) -> WeekGrid:
    """Judge every half hour of seven local days from ``start`` in the display zone.

    ``dial_method`` is how the drawn calls and texts are placed, named in the title; ``None``
    draws them as possibly automated (the TCPA then denies them to this number-less consumer).
    """
    consumer = _consumer(country, subdivision, zone)
    template = Template(text=DISCLOSING_TEXT)
    method = dial_method if channel in (Channel.CALL, Channel.VOICEMAIL, Channel.SMS) else None
    probe = engine.evaluate(
        Contact(
            channel=channel,
            at=dt.datetime.combine(start, dt.time(12), tzinfo=dt.timezone.utc),
            consumer=consumer,
            debt_ids=["D"],
            template=template,
            dial_method=method,
        )
    )
    if not probe.zones:
        raise ValueError(f"no time zone is known for {country}-{subdivision or ''}")
    shown = zone or probe.zones[0]
    tz = ZoneInfo(shown)
    rows: list[DayRow] = []
    for offset in range(7):
        day = start + dt.timedelta(days=offset)
        cells: list[str] = []
        for slot in range(SLOTS):
            wall = dt.datetime.combine(day, dt.time(0), tzinfo=tz) + dt.timedelta(
                minutes=slot * SLOT_MINUTES
            )
            back = wall.astimezone(dt.timezone.utc).astimezone(tz)
            if back.replace(tzinfo=None) != wall.replace(tzinfo=None):
                cells.append("gap")
                continue
            decision = engine.evaluate(
                Contact(
                    channel=channel,
                    at=wall,
                    consumer=consumer,
                    debt_ids=["D"],
                    template=template,
                    dial_method=method,
                )
            )
            cells.append("allow" if decision.allowed else "deny")
        rows.append(DayRow(day, tuple(cells), tuple(_notes(day, tz, engine, consumer, channel))))
    title = f"{channel.value} to a consumer in {country}{'-' + subdivision if subdivision else ''}"
    if channel in (Channel.CALL, Channel.VOICEMAIL, Channel.SMS):
        title += f" ({_PLACED[method]})"
    return WeekGrid(title, shown, probe.zones, probe.rulesets, tuple(rows))


_PLACED: dict[DialMethod | None, str] = {
    DialMethod.MANUAL: "dialled by hand",
    DialMethod.AUTODIALER: "placed by an autodialer",
    DialMethod.PRERECORDED: "prerecorded voice",
    None: "dial method not stated",
}


def _notes(
    day: dt.date, tz: ZoneInfo, engine: Engine, consumer: Consumer, channel: Channel
) -> list[str]:
    notes: list[str] = []
    morning = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    evening = morning + dt.timedelta(days=1)
    before, after = morning.utcoffset(), evening.utcoffset()
    if before != after:
        notes.append(f"DST change: {morning.tzname()} → {evening.tzname()}")
    for rs in engine.rulesets:
        for rule in rs.spec.rules:
            calendar = getattr(rule, "holidays", None)
            if calendar is not None and channel in rule.channels and calendar.is_holiday(day):
                notes.append(f"holiday ({rule.id})")
    return sorted(set(notes))


def render_text(grid: WeekGrid) -> str:
    """One row per day, one character per half hour: # allowed, . denied, ~ no such time."""
    marks = {"allow": "#", "deny": ".", "gap": "~"}
    hours = "".join(f"{h:02d}  " for h in range(0, 24, 2))
    lines = [
        f"{grid.title}; shown in {grid.zone}",
        f"candidate zones: {', '.join(grid.zones)}; rulesets: {', '.join(grid.rulesets)}",
        f"{'':15}{hours}",
    ]
    for row in grid.rows:
        cells = "".join(marks[c] for c in row.cells)
        note = f"  {'; '.join(row.notes)}" if row.notes else ""
        lines.append(f"{row.day:%a %Y-%m-%d} {cells}{note}")
    lines.append("# allowed   . denied   ~ wall time skipped by DST   (one mark = 30 minutes)")
    return "\n".join(lines)


def render_svg(grid: WeekGrid) -> str:
    """A self-contained SVG of the same grid (green allowed, grey denied, hatched DST gap)."""
    cell, left, top = 16, 150, 56
    width = left + SLOTS * cell + 300
    height = top + 7 * (cell + 6) + 40
    fill = {"allow": "#2e7d32", "deny": "#d0d0d0", "gap": "url(#gap)"}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        '<defs><pattern id="gap" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<path d="M0,4 L4,0" stroke="#b71c1c" stroke-width="1"/></pattern></defs>',
        f'<text x="8" y="18" font-size="14">{html.escape(grid.title)} '
        f"(shown in {html.escape(grid.zone)})</text>",
        f'<text x="8" y="36">rulesets: {html.escape(", ".join(grid.rulesets))}; '
        f"candidate zones: {html.escape(', '.join(grid.zones))}</text>",
    ]
    for hour in range(0, 25, 2):
        x = left + hour * (60 // SLOT_MINUTES) * cell
        out.append(f'<text x="{x - 6}" y="{top - 4}">{hour:02d}</text>')
    for i, row in enumerate(grid.rows):
        y = top + i * (cell + 6)
        out.append(f'<text x="8" y="{y + 12}">{row.day:%a %Y-%m-%d}</text>')
        for j, state in enumerate(row.cells):
            out.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 1}" height="{cell}" '
                f'fill="{fill[state]}"><title>{row.day} '
                f"{j * SLOT_MINUTES // 60:02d}:{j * SLOT_MINUTES % 60:02d} {state}</title></rect>"
            )
        if row.notes:
            out.append(
                f'<text x="{left + SLOTS * cell + 8}" y="{y + 12}">'
                f"{html.escape('; '.join(row.notes))}</text>"
            )
    out.append(
        f'<text x="8" y="{height - 12}">green: allowed; grey: denied; hatched: wall time '
        "skipped by a DST change; one cell = 30 minutes</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """``contactrules calendar JURISDICTION [--channel] [--dial-method] [--week] [--zone] …``."""
    country, _, subdivision = args.jurisdiction.upper().partition("-")
    try:
        channel = Channel(args.channel)
        method = None if args.dial_method == "unstated" else DialMethod(args.dial_method)
        start = dt.date.fromisoformat(args.week) if args.week else dt.date.today()
    except ValueError as exc:
        print(f"contactrules calendar: {exc}", file=sys.stderr)
        return 2
    engine = Engine.from_path(*args.rulesets) if args.rulesets else Engine.default()
    try:
        grid = build_week(
            engine,
            country=country,
            subdivision=subdivision or None,
            channel=channel,
            start=start,
            zone=args.zone,
            dial_method=method,
        )
    except ValueError as exc:
        print(f"contactrules calendar: {exc}", file=sys.stderr)
        return 2
    print(render_text(grid))
    svg = render_svg(grid)
    if args.svg:
        Path(args.svg).write_text(svg, encoding="utf-8")
    if args.html:
        page = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{grid.title}</title>"
            f"</head><body>{svg}</body></html>"
        )
        Path(args.html).write_text(page, encoding="utf-8")
    return 0
