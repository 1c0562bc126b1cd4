"""``leadmodel report DB``: the analytics tables of a store; ``leadmodel demo`` prints them too.

The report reads every lead of the SQLite store and, for each pipeline its leads are in (a
preset, or one of ``--registry``), prints the funnel (the cards that reached each status), the
losses (where and why), the owners (cards, outcomes, win rate, revenue, first response and time
to close) and the sources (leads, customers, cost per lead and per customer, revenue, ROI);
then, over every lead, the SLA (first responses and replies on time or late, and owed now).
With ``--out DIR`` it writes a PNG per chart (extra ``plot``: matplotlib) and ``report.html``,
the tables and the charts on one page.

What the leads do not carry — the campaign budgets (:class:`~leadmodel.Spend`), the SLA
policies, the owners' working calendars and the instant the data is as of — a store may keep
in its state store under :data:`SETTINGS` (``leadmodel demo`` writes them there). Without it the
report counts no budget, uses :data:`DEFAULT_POLICY` and calendar time, as of now.
"""

from __future__ import annotations

import argparse
import html
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import attrs

import leadmodel as lm
from leadmodel import analytics
from leadmodel.cli._common import UserError, open_store, progress, table

__all__ = [
    "DEFAULT_POLICY",
    "SETTINGS",
    "Report",
    "Section",
    "Settings",
    "add",
    "build",
    "check_out",
    "read_leads",
    "run",
    "show",
    "write",
]

SETTINGS: Final = "leadmodel:report"
"""The state (``uow.states``) where a store keeps what its leads do not carry: the document
of :class:`Settings`."""

DEFAULT_POLICY: Final = lm.SlaPolicy(
    key="default", first_response=timedelta(hours=1), rolling_response=timedelta(hours=4)
)
"""The SLA of a store without :data:`SETTINGS`: a first response within an hour and each reply
within four, in calendar time."""

_PAGE: Final = 2000  # leads read at a time


@attrs.frozen(kw_only=True)
class Settings:
    """What a report needs that the leads do not carry: the campaign ``spend``, the SLA
    ``policies`` (the first that applies to a lead counts), the owners' working ``calendars``
    (for business time) and the instant ``as_of`` the data describes (``None``: now)."""

    spend: tuple[lm.Spend, ...] = ()
    policies: tuple[lm.SlaPolicy, ...] = (DEFAULT_POLICY,)
    calendars: Mapping[str, lm.WorkCalendar] = attrs.field(factory=dict)
    as_of: datetime | None = None

    def doc(self) -> dict[str, Any]:
        """The settings as the JSON document :data:`SETTINGS` holds."""
        return {
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "spend": [lm.to_dict(spend) for spend in self.spend],
            "policies": [lm.to_dict(policy) for policy in self.policies],
            "calendars": {owner: lm.to_dict(cal) for owner, cal in self.calendars.items()},
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Settings:
        """The settings of a :data:`SETTINGS` document (a ``ValidationError`` when it is not)."""
        as_of = doc.get("as_of")
        return cls(
            spend=tuple(lm.from_dict(lm.Spend, item) for item in doc.get("spend", ())),
            policies=tuple(lm.from_dict(lm.SlaPolicy, item) for item in doc.get("policies", ()))
            or (DEFAULT_POLICY,),
            calendars={
                owner: lm.from_dict(lm.WorkCalendar, cal)
                for owner, cal in dict(doc.get("calendars", {})).items()
            },
            as_of=None if as_of is None else datetime.fromisoformat(as_of),
        )

    def save(self, uow: lm.SQLiteUnitOfWork) -> None:
        """Keep the settings in the store, in a unit of their own (replacing earlier ones)."""
        with uow:
            stored = uow.states.get(SETTINGS)
            version = None if stored is None else stored.version
            uow.states.put(SETTINGS, self.doc(), expected_version=version)
            uow.commit()

    @classmethod
    def load(cls, uow: lm.SQLiteUnitOfWork) -> Settings:
        """The settings the store keeps, or the defaults."""
        with uow:
            stored = uow.states.get(SETTINGS)
        if stored is None:
            return cls()
        try:
            return cls.from_doc(_plain(stored.doc))
        except (lm.ValidationError, TypeError, ValueError) as exc:
            first = str(exc).splitlines()[0]
            raise UserError(
                f"the stored report settings ({SETTINGS!r}) cannot be read: {first}"
            ) from None


def _plain(value: Any) -> Any:
    """A stored (frozen) JSON value as plain dicts and lists."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


@attrs.frozen(kw_only=True)
class Section:
    """One table as shown: a title, the column names, the rows as text, a note under it."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@attrs.frozen(kw_only=True)
class Report:
    """The tables of a store (:func:`build`), the library's tables to chart (file stem →
    table), and notes (what was left out and why)."""

    sections: tuple[Section, ...]
    charts: tuple[tuple[str, analytics.Table[Any]], ...]
    notes: tuple[str, ...] = ()
    leads: int = 0
    at: datetime


# -- reading and building ------------------------------------------------------------------------
def read_leads(uow: lm.SQLiteUnitOfWork) -> list[lm.Lead]:
    """Every lead of the store, with a progress bar."""
    with uow:
        total = uow.leads.count()
        return list(
            progress(uow.leads.iter_all(page_size=_PAGE), total=total, label="reading leads")
        )


def _pipeline(key: str, registry: lm.Registry | None) -> lm.Pipeline | None:
    for source in (registry, lm.Registry.default()):
        if source is None:
            continue
        try:
            return source.pipeline(key)
        except lm.NotRegisteredError:
            continue
    return None


def build(
    leads: Sequence[lm.Lead],
    *,
    settings: Settings,
    at: datetime,
    registry: lm.Registry | None = None,
) -> Report:
    """The report of ``leads`` as of ``at``: per pipeline the funnel, losses, owners and
    sources; over every lead the SLA."""
    by_pipeline: dict[str | None, list[lm.Lead]] = defaultdict(list)
    for lead in leads:
        by_pipeline[lead.pipeline].append(lead)
    sections: list[Section] = []
    charts: list[tuple[str, analytics.Table[Any]]] = []
    notes: list[str] = []
    several = len([key for key in by_pipeline if key is not None]) > 1
    for key in sorted(k for k in by_pipeline if k is not None):
        pipeline = _pipeline(key, registry)
        if pipeline is None:
            notes.append(
                f"{len(by_pipeline[key]):,} leads of pipeline {key!r} left out: it is not a "
                "preset; pass its spec with --registry FILE"
            )
            continue
        stem = f"{key}-" if several else ""
        found, drawn = _pipeline_sections(by_pipeline[key], pipeline, settings, at)
        sections += found
        charts += [(stem + name, chart) for name, chart in drawn]
    if None in by_pipeline:
        notes.append(f"{len(by_pipeline[None]):,} leads in no pipeline: only in the SLA table")
    sections.append(_sla(leads, settings, at))
    return Report(
        sections=tuple(sections), charts=tuple(charts), notes=tuple(notes), leads=len(leads), at=at
    )


def _pipeline_sections(
    leads: list[lm.Lead], pipeline: lm.Pipeline, settings: Settings, at: datetime
) -> tuple[list[Section], list[tuple[str, analytics.Table[Any]]]]:
    facts = analytics.lead_facts(leads, pipeline)
    name = f"{pipeline.spec.label or pipeline.key}"
    funnel = analytics.funnel(facts, pipeline)
    losses = analytics.losses(facts, pipeline)
    owners = analytics.owner_performance(facts, pipeline, calendar=dict(settings.calendars))
    spend = _spend_in(settings.spend, facts)
    sources = analytics.source_efficiency(facts, pipeline, spend=spend, by="source")
    closing = analytics.time_to_close(facts, pipeline, at=at)
    labels = {status.key: status.label or status.key for status in pipeline.statuses}
    business = bool(settings.calendars)
    sections = [
        Section(
            title=f"Funnel of {name!r} ({len(facts):,} cards; reached each status)",
            columns=("status", "cards", "of first", "of previous", "deal value"),
            rows=tuple(
                (
                    f"{row.label} ({row.status})",
                    _int(row.count),
                    _share(row.share_of_first),
                    _share(row.share_of_previous),
                    _money(row.amount),
                )
                for row in funnel
            ),
        ),
        Section(
            title=f"Losses in {name!r} (lost from status, reason)",
            columns=("lost from", "reason", "cards", "of lost", "deal value"),
            rows=tuple(
                (
                    labels.get(row.status or "", row.status or "?"),
                    row.reason or "?",
                    _int(row.count),
                    _share(row.share),
                    _money(row.amount),
                )
                for row in losses
            ),
        ),
        Section(
            title=f"Owners in {name!r}",
            columns=(
                "owner",
                "cards",
                "won",
                "lost",
                "open",
                "win rate",
                "revenue",
                "first reply (median)",
                "business time" if business else "p90",
                "to close (median)",
            ),
            rows=tuple(
                (
                    row.owner,
                    _int(row.processed),
                    _int(row.won),
                    _int(row.lost),
                    _int(row.open),
                    _share(row.win_rate),
                    _money(row.amount),
                    _span(row.first_response_median),
                    _span(
                        row.first_response_business_median if business else row.first_response_p90
                    ),
                    _span(row.close_median),
                )
                for row in owners
            ),
            note="win rate: won of closed; business time: in the owner's working hours"
            if business
            else "win rate: won of closed",
        ),
        Section(
            title=f"Sources of {name!r} ({sources.currency})",
            columns=(
                "source",
                "leads",
                "customers",
                "conversion",
                "cost",
                "per lead",
                "per customer",
                "revenue",
                "ROI",
            ),
            rows=tuple(
                (
                    row.group,
                    _int(row.leads),
                    _int(row.customers),
                    _share(row.conversion),
                    _money(row.cost),
                    _money(row.cost_per_lead),
                    _money(row.cost_per_customer),
                    _money(row.revenue),
                    "—" if row.roi is None else f"{row.roi:,.1f}×",
                )
                for row in sources
            ),
            note="cost: per-lead prices plus campaign budgets; ROI: (revenue − cost) / cost"
            + (
                f"; {sources.left_out:,} amounts in other currencies left out"
                * bool(sources.left_out)
            ),
        ),
    ]
    charts: list[tuple[str, analytics.Table[Any]]] = [
        ("funnel", funnel),
        ("losses", losses),
        ("owners", owners),
        ("sources", sources),
        ("time-to-close", closing),
    ]
    return sections, charts


def _spend_in(spend: Iterable[lm.Spend], facts: analytics.LeadFacts) -> tuple[lm.Spend, ...]:
    """The budgets in the currency the pipeline's leads use (one report, one currency)."""
    currencies = {
        money.currency
        for fact in facts
        for money in (fact.cost, fact.value)
        if isinstance(money, lm.Money)
    }
    kept = tuple(s for s in spend if not currencies or s.amount.currency in currencies)
    return kept if len({s.amount.currency for s in kept}) <= 1 else ()


def _sla(leads: Sequence[lm.Lead], settings: Settings, at: datetime) -> Section:
    """Per owner, the first responses and the replies on time and late, and those owed now."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    first, rolling = lm.SlaKind.first_response, lm.SlaKind.rolling_response
    for lead in progress(leads, total=len(leads), label="SLA clocks"):
        owner = lead.owner or "(none)"
        for clock in lm.sla_clocks(lead, settings.policies, at=at):
            kind = "first" if clock.kind is first else "reply" if clock.kind is rolling else "?"
            if clock.state is lm.SlaState.met:
                counts[owner][f"{kind} met"] += 1
            elif clock.state is lm.SlaState.breached:
                counts[owner][f"{kind} late"] += 1
                if clock.answered_at is None and clock.closed_at is None:
                    counts[owner]["late now"] += 1
            else:
                counts[owner]["owed"] += 1
    total: Counter[str] = Counter()
    for tally in counts.values():
        total.update(tally)

    def row(owner: str, tally: Counter[str]) -> tuple[str, ...]:
        return (
            owner,
            _int(tally["first met"]),
            _int(tally["first late"]),
            _share(_of(tally["first met"], tally["first met"] + tally["first late"])),
            _int(tally["reply met"]),
            _int(tally["reply late"]),
            _share(_of(tally["reply met"], tally["reply met"] + tally["reply late"])),
            _int(tally["owed"]),
            _int(tally["late now"]),
        )

    rows = [row(owner, counts[owner]) for owner in sorted(counts)]
    if len(counts) > 1:
        rows.append(row("all", total))
    policies = "; ".join(_policy(policy) for policy in settings.policies)
    return Section(
        title=f"SLA as of {_when(at)}",
        columns=(
            "owner",
            "first replies on time",
            "late",
            "on time",
            "replies on time",
            "late",
            "on time",
            "owed now",
            "late now",
        ),
        rows=tuple(rows),
        note=f"policies (the first that applies): {policies}",
    )


def _policy(policy: lm.SlaPolicy) -> str:
    targets = []
    if policy.first_response is not None:
        targets.append(f"first reply {_span(policy.first_response)}")
    if policy.rolling_response is not None:
        targets.append(f"replies {_span(policy.rolling_response)}")
    cal = policy.calendar
    hours = "calendar time" if cal is None else f"hours of {cal.key or cal.time_zone}"
    scope = " (some leads)" if policy.when else ""
    return f"{policy.key}{scope}: {', '.join(targets)} in {hours}"


# -- showing and writing ---------------------------------------------------------------------
def show(report: Report) -> None:
    """Print the tables (``rich`` on a terminal, plain text otherwise) and the notes."""
    for section in report.sections:
        table(section.title, section.columns, section.rows)
        if section.note:
            print(f"  {section.note}\n")
    for note in report.notes:
        print(f"note: {note}")


_OURS: Final = ("report.html",)
_NAMED: Final = 3  # files named when a folder is refused


def _ours(path: Path) -> bool:
    return path.is_file() and (path.name in _OURS or path.suffix == ".png")


def check_out(out: Path) -> bool:
    """Whether ``out`` may take a report: a new or empty folder (``False``), or one holding
    only an earlier report (``True``: it will be replaced). Otherwise a :class:`UserError`."""
    if out.exists() and not out.is_dir():
        raise UserError(f"{out}: not a folder; pass a folder for the report (--out DIR)")
    if not out.is_dir():
        return False
    found = sorted(out.iterdir())
    strangers = [path.name for path in found if not _ours(path)]
    if strangers:
        raise UserError(
            f"{out}: not empty ({', '.join(strangers[:_NAMED])}"
            f"{', …' if len(strangers) > _NAMED else ''}); pass a new or empty folder, or one "
            "holding an earlier report"
        )
    return bool(found)


def write(report: Report, out: Path, *, heading: str, lines: Sequence[str] = ()) -> list[str]:
    """Write the charts (PNG, extra ``plot``) and ``report.html`` into ``out`` (replacing an
    earlier report there: see :func:`check_out`); return what to tell the user."""
    replacing = check_out(out)
    out.mkdir(parents=True, exist_ok=True)
    for path in out.iterdir():
        if _ours(path):
            path.unlink()
    pictures, said = _charts(report, out)
    page = out / "report.html"
    page.write_text(_html(report, heading, lines, pictures, said), encoding="utf-8")
    told = [f"report: {page}" + (f" and {len(pictures)} charts" if pictures else "")]
    if said:
        told.append(said)
    if replacing:
        told.append(f"(replaced the earlier report in {out})")
    return told


def _charts(report: Report, out: Path) -> tuple[list[str], str]:
    if not report.charts:
        return [], ""
    try:
        import matplotlib
    except ImportError:
        return [], "charts skipped: matplotlib is not installed (pip install 'leadmodel[plot]')"
    matplotlib.use("Agg")  # files only: no window, no display needed
    import matplotlib.pyplot as plt

    made = []
    for stem, chart in progress(report.charts, total=len(report.charts), label="charts"):
        # Why our own figure: Table.plot sizes a new one by the rows (a bar per row), which
        # for a survival curve (a row per distinct time) is thousands of inches tall
        bars = 1 if isinstance(chart, analytics.Survival) else len(chart)
        height = 4.5 if bars == 1 else min(0.45 * max(bars, 4) + 1, _TALLEST)
        figure, ax = plt.subplots(figsize=(8, height))
        chart.plot(ax=ax)
        figure.tight_layout()
        name = f"{stem}.png"
        figure.savefig(out / name, dpi=96)
        plt.close(figure)
        made.append(name)
    return made, ""


_TALLEST: Final = 14.0  # inches: a chart of many bars is squeezed, not endless


_STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 0.3em; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { padding: 0.2em 0.7em; border-bottom: 1px solid #ddd; }
th { background: #f4f4f4; } td { text-align: right; } td:first-child { text-align: left; }
p.note { color: #666; font-size: 0.9em; margin-top: 0; }
img { max-width: 48%; margin: 0.5em 1%; vertical-align: top; }
"""


def _html(
    report: Report, heading: str, lines: Sequence[str], pictures: Sequence[str], said: str
) -> str:
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(heading)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{esc(heading)}</h1>",
        f"<p>{_int(report.leads)} leads, as of {esc(_when(report.at))}; "
        f"made by leadmodel {esc(lm.__version__)}.</p>",
    ]
    if lines:
        parts.append("<ol>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ol>")
    for section in report.sections:
        head = "".join(f"<th>{esc(name)}</th>" for name in section.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>"
            for row in section.rows
        )
        parts.append(
            f"<table><caption>{esc(section.title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
        if section.note:
            parts.append(f'<p class="note">{esc(section.note)}</p>')
    parts += [f'<p class="note">note: {esc(note)}</p>' for note in report.notes]
    if pictures:
        parts.append("<h2>Charts</h2>")
        parts += [f'<img src="{esc(name)}" alt="{esc(name[:-4])}">' for name in pictures]
    elif said:
        parts.append(f'<p class="note">{esc(said)}</p>')
    parts.append("</body></html>\n")
    return "\n".join(parts)


# -- cells -------------------------------------------------------------------------------------
def _int(value: int) -> str:
    return f"{value:,}"


def _of(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _money(value: lm.Money | tuple[lm.Money, ...] | None) -> str:
    if value is None:
        return "—"
    amounts = (value,) if isinstance(value, lm.Money) else value
    if not amounts:
        return "—"
    return " + ".join(f"{money.amount:,} {money.currency}" for money in amounts)


def _span(value: timedelta | None) -> str:
    """A duration, short: ``2d 4h``, ``3h 05m``, ``12m``, ``40s``."""
    if value is None:
        return "—"
    seconds = round(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m"
    return f"{seconds}s"


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# -- the command -----------------------------------------------------------------------------
def add(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``report`` command."""
    report = commands.add_parser(
        "report",
        help="print the analytics tables of a store (SQLite)",
        description="Print the funnel, losses, owners, sources and SLA tables of an SQLite "
        "store; with --out DIR also write the charts (PNG) and report.html.",
    )
    report.add_argument("db", type=Path, help="the SQLite database (e.g. made by `demo --db`)")
    report.add_argument("--out", type=Path, metavar="DIR", help="write charts and report.html here")
    report.add_argument(
        "--registry",
        type=Path,
        metavar="PATH",
        help="a registry TOML file (or folder) with the specs of pipelines that are not presets",
    )
    report.add_argument(
        "--at",
        metavar="WHEN",
        help="the instant the report is as of, ISO 8601 with an offset (default: as the store "
        "says, else now)",
    )
    report.set_defaults(run=run)


def _instant(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"--at: {text!r} is not an ISO 8601 instant, e.g. 2026-04-01T00:00+00:00"
        ) from None
    if when.tzinfo is None:
        raise UserError(f"--at: {text!r} has no offset; add one, e.g. {text}+00:00")
    return when


def run(args: argparse.Namespace) -> int:
    """Print the store's tables (and write the files with ``--out``)."""
    at_given = None if args.at is None else _instant(args.at)
    if args.out is not None:
        check_out(args.out)
    registry = None if args.registry is None else lm.load_registry(args.registry)
    with open_store(args.db) as uow:
        settings = Settings.load(uow)
        leads = read_leads(uow)
    at = at_given or settings.as_of or datetime.now(UTC)
    report = build(leads, settings=settings, at=at, registry=registry)
    print(f"leadmodel report of {args.db}: {len(leads):,} leads, as of {_when(at)}\n")
    show(report)
    if args.out is not None:
        for line in write(report, args.out, heading=f"leadmodel report: {args.db.name}"):
            print(line)
    return 0
