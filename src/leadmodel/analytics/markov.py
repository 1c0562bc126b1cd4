"""A pipeline as an absorbing Markov chain: the chance a card in each status is won, the moves and
the calendar time until it closes, a Monte Carlo forecast of revenue by period, and the cards'
paths in the format Markov attribution tools read (extra ``numpy``).

The model. The states are the pipeline's statuses; won and lost statuses are absorbing. Every
*ended stay* of a card in an open status — it entered the status and later moved on — gives one
transition (to the status it moved to) and one holding time (``left_at - at`` of its
:class:`~leadmodel.analytics.StatusFact`). A card's current stay is censored: it has not ended, so
it counts neither. A move out of a won or lost status (a reopened card) is not part of the chain:
:attr:`MarkovChain.left_out` counts those, and moves of statuses the pipeline no longer has. From
the counts: ``P`` (row-stochastic), ``Q`` (open → open) and ``R`` (open → closed),
``N = (I − Q)⁻¹`` (expected visits), the absorption probabilities ``B = N·R``, the expected moves
``N·1`` and the expected time ``N·h`` (``h``: each status's mean holding time). It is the
first-order, time-homogeneous assumption: where a card goes next depends only on where it is.

Where the data says nothing, the chain says so rather than guess: an open status no card has
left yet has no estimate, nor has a status from which the observed moves can reach such a
status, or can circle among open statuses without ever closing. Their win probability, expected
moves and expected time are ``None`` and their ``note`` says why. Pipelines always have a won
status (the spec requires one); with no won status the win probabilities would all be 0.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import attrs

from leadmodel._kernel import checks as c
from leadmodel.analytics._extras import optional
from leadmodel.analytics._groups import Period, check_grouping, period_of
from leadmodel.analytics._table import Table, money_field
from leadmodel.analytics.facts import Outcome, checked_leads, lead_facts, status_facts
from leadmodel.domain.model import Lead
from leadmodel.domain.pipeline import Pipeline, StatusKind
from leadmodel.domain.values import Money
from leadmodel.errors import Problem

if TYPE_CHECKING:  # pragma: no cover - the extra is optional
    from matplotlib.axes import Axes

__all__ = [
    "MAX_RUNS",
    "ChainRow",
    "Forecast",
    "ForecastRow",
    "JourneyRow",
    "Journeys",
    "MarkovChain",
    "Simulation",
    "TransitionRow",
    "Transitions",
    "draw_chain",
    "draw_forecast",
    "fit",
    "forecast",
    "journeys",
    "simulate",
]

MAX_RUNS: Final = 1_000_000
"""The most Monte Carlo runs :func:`simulate` and :func:`forecast` take."""
_MAX_HORIZON: Final = 1_000
_MAX_STEPS: Final = 10_000  # a walk still open after this many moves is left unresolved
# walks simulated at once (cards × runs): bounds the memory a forecast takes
_BATCH: Final = 1_000_000
_SEP: Final = " > "  # ChannelAttribution splits paths on ">" (its default sep), trims the spaces


@attrs.frozen(kw_only=True, slots=True)
class ChainRow:
    """One open status of a fitted chain: how many stays in it ended (``stays``, the data behind
    the row), the chance a card here is won and lost, the expected moves and calendar time until
    it closes, the mean time a card stays here; ``None`` and a ``note`` where the data cannot
    say (see the module docstring)."""

    status: str
    label: str
    stays: int
    win: float | None
    loss: float | None
    expected_steps: float | None
    expected_time: timedelta | None
    mean_holding: timedelta | None
    note: str | None = None


@attrs.frozen(kw_only=True, slots=True)
class TransitionRow:
    """A move observed between two statuses: how often, and its share of the moves out of
    ``from_status``."""

    from_status: str
    to_status: str
    count: int
    probability: float


@attrs.frozen(kw_only=True)
class Transitions(Table[TransitionRow]):
    """:meth:`MarkovChain.transition_table`: a row per observed move, in status order."""

    kind = "transitions"
    pipeline: str


@attrs.frozen(kw_only=True)
class MarkovChain(Table[ChainRow]):
    """:func:`fit`: a row per open status (win probability, expected moves and time), and the
    chain itself: ``states`` (the pipeline's statuses, in order), the absorbing ``won`` and
    ``lost`` ones, the ``transitions`` counted (``transitions[i][j]``: moves from ``states[i]``
    to ``states[j]``), the row-stochastic ``matrix`` (a won or lost row is its identity row, an
    open status no card has left a row of zeros), the ``holding_times`` of the ended stays per
    status (what :func:`forecast` draws from), and the moves ``left_out`` of the chain."""

    kind = "markov"
    pipeline: str
    states: tuple[str, ...]
    won: tuple[str, ...]
    lost: tuple[str, ...]
    transitions: tuple[tuple[int, ...], ...]
    matrix: tuple[tuple[float, ...], ...]
    holding_times: tuple[tuple[timedelta, ...], ...] = attrs.field(repr=False)
    left_out: int = 0

    @classmethod
    def from_moves(
        cls, pipeline: Pipeline, moves: Iterable[tuple[str, str, timedelta]]
    ) -> MarkovChain:
        """The chain of ``pipeline`` from ended stays given as ``(status, next status, time
        held)`` — what :func:`fit` reads from cards, for counts from elsewhere (a CRM's
        report). Raises :class:`~leadmodel.errors.ValidationError` naming each bad move.

        >>> from datetime import timedelta as td
        >>> import leadmodel as lm
        >>> chain = lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE, [
        ...     ("new", "in_progress", td(days=1)), ("new", "won", td(days=3)),
        ...     ("in_progress", "won", td(days=2)), ("in_progress", "lost", td(days=4))])
        >>> chain.matrix[0]
        (0.0, 0.5, 0.5, 0.0)
        >>> lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE, [("new", "paid", td(0))])
        Traceback (most recent call last):
        ...
        leadmodel.errors.ValidationError: MarkovChain.from_moves.moves[0]: 'paid' is not a status
        of 'simple'; its statuses: new, in_progress, won, lost; got ('new', 'paid', ...)
        """
        p: c.Problems = []
        if not c.instance(p, "pipeline", pipeline, Pipeline):
            c.fail("MarkovChain.from_moves", p)
        given: Any = c.as_tuple(moves)
        if type(given) is not tuple:
            c.fail("MarkovChain.from_moves", [Problem("moves", "expected an iterable", moves)])
        for i, move in enumerate(given):
            problem = _move_problem(move, pipeline)
            if problem:
                p.append(Problem(f"moves[{i}]", problem, move))
        if p:
            c.fail("MarkovChain.from_moves", p)
        return _chain(pipeline, given, 0)

    @property
    def unobserved(self) -> tuple[str, ...]:
        """The open statuses no card has left yet (no data: no estimate from them)."""
        return tuple(row.status for row in self.rows if row.stays == 0)

    def win_probability(self, status: str) -> float | None:
        """The probability that a card in ``status`` ends won (``B = N·R`` summed over the won
        statuses): 1 for a won status, 0 for a lost one, ``None`` where the data cannot say.

        >>> from datetime import timedelta as td
        >>> import leadmodel as lm
        >>> chain = lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE, [
        ...     ("new", "in_progress", td(days=1)), ("new", "won", td(days=3)),
        ...     ("in_progress", "won", td(days=2)), ("in_progress", "lost", td(days=4))])
        >>> chain.win_probability("new"), chain.win_probability("won")
        (0.75, 1.0)
        """
        row = self._row("win_probability", status)
        return (1.0 if status in self.won else 0.0) if row is None else row.win

    def loss_probability(self, status: str) -> float | None:
        """The probability that a card in ``status`` ends lost: ``1 − win`` where the chain
        has an estimate.

        >>> from datetime import timedelta as td
        >>> import leadmodel as lm
        >>> chain = lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE, [
        ...     ("new", "in_progress", td(days=1)), ("in_progress", "lost", td(days=4))])
        >>> chain.loss_probability("new"), chain.loss_probability("lost")
        (1.0, 1.0)
        """
        row = self._row("loss_probability", status)
        return (1.0 if status in self.lost else 0.0) if row is None else row.loss

    def expected_steps(self, status: str) -> float | None:
        """The expected number of moves from ``status`` until the card closes (``N·1``; 0 for
        a won or lost status).

        >>> from datetime import timedelta as td
        >>> import leadmodel as lm
        >>> chain = lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE, [
        ...     ("new", "in_progress", td(days=1)), ("new", "won", td(days=3)),
        ...     ("in_progress", "won", td(days=2)), ("in_progress", "lost", td(days=4))])
        >>> chain.expected_steps("new")
        1.5
        """
        row = self._row("expected_steps", status)
        return 0.0 if row is None else row.expected_steps

    def expected_time(self, status: str) -> timedelta | None:
        """The expected calendar time from entering ``status`` until the card closes (``N·h``,
        ``h`` the mean holding time of each open status).

        >>> from datetime import timedelta as td
        >>> import leadmodel as lm
        >>> chain = lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE, [
        ...     ("new", "in_progress", td(days=1)), ("new", "won", td(days=3)),
        ...     ("in_progress", "won", td(days=2)), ("in_progress", "lost", td(days=4))])
        >>> chain.expected_time("new")  # 2 days in new, half the cards 3 more in progress
        datetime.timedelta(days=3, seconds=43200)
        """
        row = self._row("expected_time", status)
        return timedelta(0) if row is None else row.expected_time

    def mean_holding(self, status: str) -> timedelta | None:
        """The mean time a card stayed in ``status`` before moving on (over the ended stays;
        ``None`` for a status no card has left, and for won and lost ones).

        >>> from datetime import timedelta as td
        >>> import leadmodel as lm
        >>> chain = lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE, [
        ...     ("new", "in_progress", td(days=1)), ("new", "won", td(days=3))])
        >>> chain.mean_holding("new"), chain.mean_holding("in_progress")
        (datetime.timedelta(days=2), None)
        """
        row = self._row("mean_holding", status)
        return None if row is None else row.mean_holding

    def transition_table(self) -> Transitions:
        """The observed moves as a table: ``from_status``, ``to_status``, ``count`` and
        ``probability`` (the matrix entry), a row per move seen at least once.

        >>> from datetime import timedelta as td
        >>> import leadmodel as lm
        >>> chain = lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE, [
        ...     ("new", "won", td(days=1)), ("new", "lost", td(days=3)), ("new", "won", td(1))])
        >>> [(r.to_status, r.count, round(r.probability, 2)) for r in chain.transition_table()]
        [('won', 2, 0.67), ('lost', 1, 0.33)]
        """
        rows = tuple(
            TransitionRow(
                from_status=self.states[i],
                to_status=self.states[j],
                count=count,
                probability=self.matrix[i][j],
            )
            for i, counts in enumerate(self.transitions)
            for j, count in enumerate(counts)
            if count
        )
        title = f"Moves in {self.pipeline}"
        return Transitions(rows=rows, title=title, pipeline=self.pipeline)

    def _row(self, method: str, status: object) -> ChainRow | None:
        """The row of open ``status``; ``None`` for a won or lost one; raises for others."""
        if status not in self.states:
            known = ", ".join(self.states)
            message = f"not a status of pipeline {self.pipeline!r}; its statuses: {known}"
            c.fail(f"MarkovChain.{method}", [Problem("status", message, status)])
        return next((row for row in self.rows if row.status == status), None)

    def _draw(self, ax: Axes) -> None:
        draw_chain(self, ax)


def _move_problem(move: object, pipeline: Pipeline) -> str | None:
    """What is wrong with ``move`` as ``(status, next status, time held)``, if anything."""
    if type(move) is not tuple or len(move) != 3:  # noqa: PLR2004 - a (from, to, held) triple
        return "expected a tuple (status, next status, time held)"
    unknown = [status for status in move[:2] if status not in pipeline.status_keys]
    if unknown:
        known = ", ".join(pipeline.status_keys)
        return f"{unknown[0]!r} is not a status of {pipeline.key!r}; its statuses: {known}"
    if not isinstance(move[2], timedelta) or move[2] < timedelta(0):
        return "the time held must be a timedelta of zero or more"
    return None


def fit(leads: Iterable[Lead], pipeline: Pipeline) -> MarkovChain:
    """The absorbing Markov chain of the moves of the cards of ``pipeline`` among ``leads``
    (see the module docstring for the model and for statuses without data).

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> def card(n, *moves):
    ...     lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId(f"L-{n}"), person_name="P",
    ...         topic="Chairs", contact_points=[lm.ContactPoint.email(f"p{n}@mebli.ua")],
    ...         source=lm.Source(channel=lm.Channel.form), created_at=at), at=at)
    ...     for i, status in enumerate(moves, start=1):
    ...         lead = lm.pipelines.SIMPLE.move(lead, status, at=at + timedelta(days=i),
    ...             reason="declined" if status == "lost" else None)
    ...     return lead
    >>> chain = lm.analytics.markov.fit([card(1, "in_progress", "won"), card(2, "won"),
    ...     card(3, "in_progress", "lost"), card(4, "in_progress"), card(5)], lm.pipelines.SIMPLE)
    >>> [(row.status, row.stays, row.win) for row in chain]  # 1/4 + 3/4 · 1/2
    [('new', 4, 0.625), ('in_progress', 2, 0.5)]
    >>> chain.expected_time("new")  # a day in new, then 3 in 4 cards a day in progress
    datetime.timedelta(days=1, seconds=64800)
    """
    given = checked_leads("fit", leads, pipeline)
    optional("numpy", "markov.fit", "numpy")
    known = set(pipeline.status_keys)
    facts = status_facts(given, pipeline).rows
    moves: list[tuple[str, str, timedelta]] = []
    left_out = 0
    for stay, after in itertools.pairwise(facts):
        if stay.left_at is None:  # the card's current stay (censored), or its last
            continue
        if stay.to_status in known and after.to_status in known:
            moves.append((stay.to_status, after.to_status, stay.left_at - stay.at))
        else:
            left_out += 1
    return _chain(pipeline, moves, left_out)


def _chain(
    pipeline: Pipeline, moves: Iterable[tuple[str, str, timedelta]], left_out: int
) -> MarkovChain:
    """The chain from checked moves (a move out of a won or lost status is left out)."""
    np = optional("numpy", "markov.fit", "numpy")
    states = pipeline.status_keys
    kinds = [pipeline.kind(key) for key in states]
    index = {key: i for i, key in enumerate(states)}
    counts = [[0] * len(states) for _ in states]
    holds: list[list[timedelta]] = [[] for _ in states]
    for frm, to, held in moves:
        i = index[frm]
        if kinds[i] is not StatusKind.open:
            left_out += 1
            continue
        counts[i][index[to]] += 1
        holds[i].append(held)
    matrix = tuple(
        tuple(float(i == j) for j in range(len(states)))
        if kinds[i] is not StatusKind.open
        else tuple(n / sum(row) if sum(row) else 0.0 for n in row)
        for i, row in enumerate(counts)
    )
    return MarkovChain(
        rows=_rows(np, pipeline, counts, holds, matrix),
        title=f"Markov chain of {pipeline.key}",
        pipeline=pipeline.key,
        states=states,
        won=tuple(k for k, kind in zip(states, kinds, strict=True) if kind is StatusKind.won),
        lost=tuple(k for k, kind in zip(states, kinds, strict=True) if kind is StatusKind.lost),
        transitions=tuple(tuple(row) for row in counts),
        matrix=matrix,
        holding_times=tuple(tuple(h) for h in holds),
        left_out=left_out,
    )


def _rows(
    np: Any,
    pipeline: Pipeline,
    counts: list[list[int]],
    holds: list[list[timedelta]],
    matrix: tuple[tuple[float, ...], ...],
) -> tuple[ChainRow, ...]:
    """A row per open status: the absorption solved over the statuses with an estimate."""
    kinds = [status.kind for status in pipeline.statuses]
    opened = [i for i, kind in enumerate(kinds) if kind is StatusKind.open]
    notes = _notes(pipeline.status_keys, kinds, counts)
    solved = [i for i in opened if i not in notes]  # closed under the moves: I − Q invertible
    closed = [i for i, kind in enumerate(kinds) if kind is not StatusKind.open]
    mean = {i: sum(holds[i], timedelta(0)) / len(holds[i]) for i in opened if holds[i]}
    found: dict[int, tuple[float | None, float | None, float | None, float | None]] = {}
    if solved:
        p = np.array(matrix, dtype=float)
        q, r = p[np.ix_(solved, solved)], p[np.ix_(solved, closed)]
        h = np.array([mean[i].total_seconds() for i in solved])
        x = np.linalg.solve(np.eye(len(solved)) - q, np.column_stack([r, np.ones(len(solved)), h]))
        is_won = np.array([kinds[j] is StatusKind.won for j in closed], dtype=bool)
        for k, i in enumerate(solved):
            chances = np.clip(x[k, : len(closed)], 0.0, 1.0)  # rounding: 1.0000000000000002
            won, lost = float(chances[is_won].sum()), float(chances[~is_won].sum())
            found[i] = (won, lost, float(x[k, -2]), float(x[k, -1]))
    rows = []
    for i in opened:
        win, loss, steps, seconds = found.get(i, (None, None, None, None))
        rows.append(
            ChainRow(
                status=pipeline.status_keys[i],
                label=pipeline.statuses[i].label,
                stays=len(holds[i]),
                win=win,
                loss=loss,
                expected_steps=steps,
                expected_time=None if seconds is None else timedelta(seconds=seconds),
                mean_holding=mean.get(i),
                note=notes.get(i),
            )
        )
    return tuple(rows)


def _stuck(kinds: list[StatusKind], counts: list[list[int]]) -> tuple[set[int], list[set[int]]]:
    """The open statuses with no observed way to a won or lost status (a status no card has
    left among them), and the statuses each status reaches in one move or more."""
    n = len(kinds)
    reach: list[set[int]] = []
    for i in range(n):
        seen: set[int] = set()
        todo = [i]
        while todo:
            row = counts[todo.pop()]
            for j in range(n):
                if row[j] and j not in seen:
                    seen.add(j)
                    todo.append(j)
        reach.append(seen)
    stuck = {
        i
        for i, kind in enumerate(kinds)
        if kind is StatusKind.open and all(kinds[j] is StatusKind.open for j in reach[i])
    }
    return stuck, reach


def _notes(
    states: tuple[str, ...], kinds: list[StatusKind], counts: list[list[int]]
) -> dict[int, str]:
    """Why an open status has no estimate, for those that have none."""
    stuck, reach = _stuck(kinds, counts)
    notes: dict[int, str] = {}
    for i in sorted(stuck):
        notes[i] = (
            "no card has left this status yet"
            if not any(counts[i])
            else "the moves seen from here never reach a won or lost status"
        )
    for i, kind in enumerate(kinds):
        bad = sorted(reach[i] & stuck)
        if kind is StatusKind.open and i not in stuck and bad:
            why = "no card has left" if not any(counts[bad[0]]) else "no move seen closes"
            notes[i] = f"can move to {states[bad[0]]!r}, which {why}"
    return notes


# -- Monte Carlo ------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=True)
class Simulation:
    """:func:`simulate`: how ``runs`` walks from ``status`` ended — ``won``, ``lost``, or
    ``unresolved`` (they reached a status with no estimate) — and, over the walks that closed,
    the mean number of moves and the mean calendar time."""

    status: str
    runs: int
    seed: int
    won: int
    lost: int
    unresolved: int
    mean_steps: float | None
    mean_time: timedelta | None

    @property
    def win_share(self) -> float:
        """The share of the runs that ended won."""
        return self.won / self.runs


class _Walker:
    """The chain as arrays for walking: cumulative counts per row, the statuses where a walk
    stops (won, lost, or with no estimate), the holding times in seconds (all in one ``pool``,
    status ``k``'s from ``first[k]``, ``size[k]`` of them), and the seeded generator every draw
    comes from."""

    def __init__(self, np: Any, chain: MarkovChain, seed: int) -> None:
        n = len(chain.states)
        kinds = [_kind(chain, status) for status in chain.states]
        counts = [list(row) for row in chain.transitions]
        self.np = np
        self.rng = np.random.default_rng(seed)
        self.cumulative = np.cumsum(np.array(counts, dtype=np.int64).reshape(n, n), axis=1)
        self.totals = np.array([sum(row) for row in counts], dtype=np.int64)
        self.won = np.array([kind is StatusKind.won for kind in kinds])
        self.stuck = np.zeros(n, dtype=bool)
        self.stuck[sorted(_stuck(kinds, counts)[0])] = True
        self.stop = np.array([kind is not StatusKind.open for kind in kinds]) | self.stuck
        self.held = [np.array([h.total_seconds() for h in hs]) for hs in chain.holding_times]
        self.size = np.array([len(hs) for hs in chain.holding_times], dtype=np.int64)
        self.first = np.concatenate([[0], np.cumsum(self.size)[:-1]]).astype(np.int64)
        self.pool = np.concatenate([[0.0], *self.held])[1:]

    def stay(self, k: int, runs: int, elapsed: float = 0.0) -> Any:
        """The rest of a stay in status ``k`` already ``elapsed`` seconds long, per run: a stay
        at least that long, less ``elapsed`` (0 when none is that long, or the walk stops)."""
        if self.stop[k]:
            return self.np.zeros(runs)
        rest = self.held[k][self.held[k] >= elapsed] - elapsed
        if not rest.size:
            return self.np.zeros(runs)
        return rest[self.rng.integers(0, rest.size, size=runs)]

    def walk(self, state: Any, clock: Any, limit: float) -> Any:
        """Walk each ``state`` (its stay done at ``clock`` seconds) until it stops or its
        clock passes ``limit``: move by the counts, then stay a holding time drawn from the new
        status's stays. Updates ``state`` and ``clock``; returns the moves each walk made."""
        np, rng = self.np, self.rng
        steps = np.zeros(len(state), dtype=np.int64)
        active = np.flatnonzero(~self.stop[state] & (clock < limit))
        for _ in range(_MAX_STEPS):
            if active.size == 0:
                break
            totals = self.totals[state[active]]
            draw = np.minimum((rng.random(active.size) * totals).astype(np.int64), totals - 1)
            moved = (self.cumulative[state[active]] <= draw[:, None]).sum(axis=1)
            state[active] = moved
            steps[active] += 1
            stays = ~self.stop[moved]
            active, moved = active[stays], moved[stays]
            which = (rng.random(active.size) * self.size[moved]).astype(np.int64)
            clock[active] += self.pool[self.first[moved] + np.minimum(which, self.size[moved] - 1)]
            active = active[clock[active] < limit]
        return steps


def _kind(chain: MarkovChain, status: str) -> StatusKind:
    if status in chain.won:
        return StatusKind.won
    return StatusKind.lost if status in chain.lost else StatusKind.open


def simulate(chain: MarkovChain, status: str, *, runs: int = 10_000, seed: int = 0) -> Simulation:
    """Walk the fitted chain ``runs`` times from ``status`` (seeded: the same seed, the same
    result): the Monte Carlo check of :meth:`MarkovChain.win_probability`,
    :meth:`~MarkovChain.expected_steps` and :meth:`~MarkovChain.expected_time`.

    >>> from datetime import timedelta as td
    >>> import leadmodel as lm
    >>> chain = lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE, [
    ...     ("new", "in_progress", td(days=1)), ("new", "won", td(days=3)),
    ...     ("in_progress", "won", td(days=2)), ("in_progress", "lost", td(days=4))])
    >>> result = lm.analytics.markov.simulate(chain, "new", runs=100_000, seed=1)
    >>> abs(result.win_share - chain.win_probability("new")) < 0.01
    True
    >>> round(result.mean_steps, 1), result.unresolved
    (1.5, 0)
    """
    p: c.Problems = []
    if c.instance(p, "chain", chain, MarkovChain) and status not in chain.states:
        p.append(Problem("status", f"expected one of {', '.join(chain.states)}", status))
    _count(p, "runs", runs, 1, MAX_RUNS)
    _count(p, "seed", seed, 0, 2**63 - 1)
    if p:
        c.fail("simulate", p)
    np = optional("numpy", "markov.simulate", "numpy")
    walker = _Walker(np, chain, seed)
    start = chain.states.index(status)
    state = np.full(runs, start, dtype=np.int64)
    clock = walker.stay(start, runs)
    steps = walker.walk(state, clock, float("inf"))
    won, closed = walker.won[state], ~walker.stuck[state] & walker.stop[state]
    return Simulation(
        status=status,
        runs=runs,
        seed=seed,
        won=int(won.sum()),
        lost=int((closed & ~won).sum()),
        unresolved=int((~closed).sum()),
        mean_steps=float(steps[closed].mean()) if closed.any() else None,
        mean_time=timedelta(seconds=float(clock[closed].mean())) if closed.any() else None,
    )


def _count(p: c.Problems, name: str, value: object, low: int, high: int) -> None:
    if type(value) is not int or not low <= value <= high:
        p.append(Problem(name, f"expected an integer from {low:,} to {high:,}", value))


# -- forecast ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=True)
class ForecastRow:
    """One period and currency of a forecast: the expected number of cards won in it (``won``)
    and the revenue they bring over the runs — ``mean`` and the 5th, 50th and 95th percentiles.
    Currency ``None``: the cards without a value, counted, not summed."""

    period: str
    currency: str | None
    won: float
    mean: Decimal | None
    p5: Decimal | None
    p50: Decimal | None
    p95: Decimal | None


@attrs.frozen(kw_only=True)
class Forecast(Table[ForecastRow]):
    """:func:`forecast`: a row per period (in order) and currency (sorted; ``None`` last), for
    the ``cards`` forecast; ``unresolved``: the mean number of them per run whose walk reached
    a status with no estimate (not forecast)."""

    kind = "forecast"
    pipeline: str
    at: datetime
    period: Period
    horizon: int
    runs: int
    seed: int
    cards: int
    unresolved: float

    def _draw(self, ax: Axes) -> None:
        draw_forecast(self, ax)


def forecast(
    open_leads: Iterable[Lead],
    chain: MarkovChain,
    *,
    at: datetime,
    period: Period = "month",
    horizon: int = 3,
    runs: int = 10_000,
    seed: int = 0,
    time_zone: str = "UTC",
) -> Forecast:
    """A Monte Carlo of the revenue the open cards of ``chain``'s pipeline bring in the period
    of ``at`` and the ``horizon − 1`` periods after it (``period``: ``day``, ``week``,
    ``month``, ``quarter`` or ``year`` in ``time_zone``).

    Each run walks every open card through the chain from its status: it first stays the rest
    of a holding time drawn from the stays of that status longer than the card has been there
    (none longer: it moves at ``at``), then moves and stays, each holding time drawn from the
    observed stays of its status (a bootstrap), until it closes or passes the horizon. A won
    card adds its ``expected_value`` to the period it closes in, per currency (never mixed).
    The same ``seed`` gives the same table. Leads of other pipelines and closed cards are left
    out; a card that moved after ``at`` is a :class:`~leadmodel.errors.ValidationError`.

    >>> from datetime import datetime, timedelta as td, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> chain = lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE,
    ...     [("new", "won", td(days=1)), ("new", "lost", td(days=1))])
    >>> lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId("L-1"), person_name="P",
    ...     topic="Chairs", contact_points=[lm.ContactPoint.email("p@mebli.ua")],
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at,
    ...     expected_value=lm.Money.of("1000", "UAH")), at=at)
    >>> report = lm.analytics.forecast([lead], chain, at=at, horizon=2, runs=1000, seed=7)
    >>> [(r.period, r.currency, round(r.won, 1), r.p5, r.p95) for r in report]
    [('2026-03', 'UAH', 0.5, Decimal('0.00'), Decimal('1000.00')),
     ('2026-04', 'UAH', 0.0, Decimal('0.00'), Decimal('0.00'))]
    """
    given = _checked_forecast(
        open_leads,
        chain,
        at=at,
        period=period,
        horizon=horizon,
        runs=runs,
        seed=seed,
        time_zone=time_zone,
    )
    np = optional("numpy", "markov.forecast", "numpy")
    zone = ZoneInfo(time_zone)
    starts = _starts(at, period, horizon, zone)
    keys = [period_of(at, period, zone)] + [period_of(s, period, zone) for s in starts[:-1]]
    edges = np.array([0.0] + [(s - at).total_seconds() for s in starts[:-1]])
    limit = (starts[-1] - at).total_seconds()
    cards = _open_cards(given, chain, at)
    tallies = _Tallies(np, [value for _, _, value in cards], runs=runs, horizon=horizon)
    walker = _Walker(np, chain, seed)
    batch = max(1, _BATCH // runs)
    for first in range(0, len(cards), batch):
        chunk = cards[first : first + batch]
        state = np.repeat(np.array([k for k, _, _ in chunk], dtype=np.int64), runs)
        clock = np.concatenate([walker.stay(k, runs, elapsed) for k, elapsed, _ in chunk])
        walker.walk(state, clock, limit)
        won = walker.won[state] & (clock < limit)
        at_period = np.searchsorted(edges, clock, side="right") - 1
        tallies.add(first, won, at_period)
        tallies.stuck += int(walker.stuck[state].sum())
    return Forecast(
        rows=tallies.rows(keys),
        title=f"Forecast of {chain.pipeline} by {period}",
        pipeline=chain.pipeline,
        at=at,
        period=period,
        horizon=horizon,
        runs=runs,
        seed=seed,
        cards=len(cards),
        unresolved=tallies.stuck / runs,
    )


def _checked_forecast(
    open_leads: Iterable[Lead],
    chain: MarkovChain,
    *,
    at: datetime,
    period: Period,
    horizon: int,
    runs: int,
    seed: int,
    time_zone: str,
) -> tuple[Lead, ...]:
    given: tuple[Lead, ...] = c.as_tuple(open_leads)
    p: c.Problems = []
    c.tuple_of(p, "open_leads", given, Lead)
    c.instance(p, "chain", chain, MarkovChain)
    c.aware(p, "at", at)
    check_grouping(p, None, period, time_zone)
    _count(p, "horizon", horizon, 1, _MAX_HORIZON)
    _count(p, "runs", runs, 1, MAX_RUNS)
    _count(p, "seed", seed, 0, 2**63 - 1)
    if not p:
        try:
            _starts(at, period, horizon, ZoneInfo(time_zone))
        except (ValueError, OverflowError):
            p.append(Problem("horizon", "the horizon passes the year 9999; shorten it", horizon))
        for i, lead in enumerate(given):
            moved = _entered(lead, chain.pipeline)
            if lead.pipeline == chain.pipeline and moved is not None and moved > at:
                why = f"the card moved at {moved.isoformat()}, after at; forecast from a later at"
                p.append(Problem(f"open_leads[{i}]", why, lead.id))
    if p:
        c.fail("forecast", p)
    return given


def _entered(lead: Lead, pipeline: str) -> datetime | None:
    """When the card entered its current status in ``pipeline`` (its last move there)."""
    return next((m.at for m in reversed(lead.history) if m.pipeline == pipeline), None)


def _open_cards(
    leads: tuple[Lead, ...], chain: MarkovChain, at: datetime
) -> list[tuple[int, float, Money | None]]:
    """``(status index, seconds in it by at, value)`` of each open card of the chain."""
    closed = set(chain.won) | set(chain.lost)
    cards = []
    for lead in leads:
        if lead.pipeline == chain.pipeline and lead.status in chain.states:
            if lead.status in closed:
                continue
            since = _entered(lead, chain.pipeline) or lead.created_at
            elapsed = max((at - since).total_seconds(), 0.0)
            cards.append((chain.states.index(lead.status), elapsed, lead.expected_value))
    return cards


def _starts(at: datetime, period: Period, horizon: int, zone: ZoneInfo) -> list[datetime]:
    """The starts of the ``horizon`` periods after the one of ``at`` (the last ends the
    horizon), at local midnight in ``zone``."""
    day = at.astimezone(zone).date()
    months = {"month": 1, "quarter": 3, "year": 12}.get(period)
    if months is None:  # day, week
        first = day - timedelta(days=day.weekday()) if period == "week" else day
        width = 7 if period == "week" else 1
        dates = [first + timedelta(days=width * i) for i in range(1, horizon + 1)]
    else:
        first_month = day.year * 12 + (day.month - 1) // months * months  # months since year 0
        ahead = [first_month + months * i for i in range(1, horizon + 1)]
        dates = [date(m // 12, m % 12 + 1, 1) for m in ahead]
    return [datetime.combine(d, time(0), tzinfo=zone) for d in dates]


class _Tallies:
    """Per currency (``None``: cards without a value), the cards won per period and, for each
    run and period, their revenue in minor units: exact integers, never floats."""

    def __init__(self, np: Any, values: list[Money | None], *, runs: int, horizon: int) -> None:
        currencies = sorted({v.currency for v in values if v is not None})
        self.np = np
        self.runs = runs
        self.keys: list[str | None] = [*currencies, None]
        self.digits = {
            cur: max(_places(v.amount) for v in values if v and v.currency == cur)
            for cur in currencies
        }
        self.group = np.array([self.keys.index(v.currency if v else None) for v in values])
        units = [int(v.amount.scaleb(self.digits[v.currency])) if v else 0 for v in values]
        exact = max(units, default=0) * max(len(values), 1) < 2**62  # else Python integers
        self.units = np.array(units, dtype=np.int64 if exact else object)
        self.sums = {cur: np.zeros((runs, horizon), dtype=self.units.dtype) for cur in currencies}
        self.won = {cur: np.zeros(horizon, dtype=np.int64) for cur in self.keys}
        self.stuck = 0

    def add(self, first: int, won: Any, at_period: Any) -> None:
        """Add the walks of the cards from ``first`` on (``runs`` each, card by card)."""
        np = self.np
        flat = np.flatnonzero(won)
        card, run, where = first + flat // self.runs, flat % self.runs, at_period[flat]
        groups = self.group[card] if card.size else np.zeros(0, dtype=np.int64)
        for g, cur in enumerate(self.keys):
            mine = groups == g
            self.won[cur] += np.bincount(where[mine], minlength=len(self.won[cur]))
            if cur is not None:
                np.add.at(self.sums[cur], (run[mine], where[mine]), self.units[card[mine]])

    def rows(self, keys: list[str]) -> tuple[ForecastRow, ...]:
        """A row per period and currency (the cards without a value last, if any)."""
        valueless = bool((self.group == len(self.keys) - 1).any())
        present = [cur for cur in self.keys if cur is not None or valueless]
        return tuple(self._row(i, key, cur) for i, key in enumerate(keys) for cur in present)

    def _row(self, i: int, key: str, cur: str | None) -> ForecastRow:
        won = float(self.won[cur][i]) / self.runs
        if cur is None:
            return ForecastRow(
                period=key, currency=None, won=won, mean=None, p5=None, p50=None, p95=None
            )
        column = sorted(int(x) for x in self.sums[cur][:, i])
        d = self.digits[cur]
        return ForecastRow(
            period=key,
            currency=cur,
            won=won,
            mean=_money(Decimal(sum(column)) / self.runs, d),
            p5=_money(_quantile(column, Decimal("0.05")), d),
            p50=_money(_quantile(column, Decimal("0.5")), d),
            p95=_money(_quantile(column, Decimal("0.95")), d),
        )


def _places(amount: Decimal) -> int:
    """The decimal places that hold ``amount`` exactly."""
    return max(0, -int(amount.as_tuple().exponent))


def _quantile(ordered: list[int], q: Decimal) -> Decimal:
    """The ``q`` quantile of ``ordered``, linear between order statistics (numpy's default)."""
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _money(minor: Decimal, digits: int) -> Decimal:
    """Minor units as an amount, to the cent (or the currency's finest digit seen)."""
    places = max(digits, 2)
    return minor.scaleb(-digits).quantize(Decimal(1).scaleb(-places))


# -- journeys ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, slots=True)
class JourneyRow:
    """One card's journey: the statuses it went through as one ``path`` string, its
    ``conversion`` (1 if won) and ``null`` (1 if lost or still open), its ``outcome`` and the
    ``value`` it converted for (a won card's deal value, empty for the others; a column per
    currency in :meth:`~leadmodel.analytics.Table.records`)."""

    lead_id: str
    path: str
    conversion: int
    null: int
    outcome: Outcome
    value: tuple[Money, ...] = money_field()


@attrs.frozen(kw_only=True)
class Journeys(Table[JourneyRow]):
    """:func:`journeys`: a row per card, in the order given."""

    kind = "journeys"
    pipeline: str


def journeys(
    leads: Iterable[Lead], pipeline: Pipeline, *, outcome_in_path: bool = False
) -> Journeys:
    """One row per card of ``pipeline``: the statuses it entered, in order, joined by ``" > "``
    (``"new > in_progress"``), ``conversion`` (1 if won), ``null`` (1 if lost or still open),
    ``outcome`` and ``value`` (a won card's deal value) — the input of Markov attribution, such
    as ChannelAttribution's ``markov_model(df, var_path="path", var_conv="conversion",
    var_null="null")`` (R and Python; with ``var_value="value_UAH"`` for the revenue in one
    currency, after ``df["value_UAH"] = df["value_UAH"].astype(float).fillna(0)``). Filter on
    ``outcome`` to leave the open cards out.

    The status a card closed in is left out of its path, as those tools expect: the outcome is
    ``conversion`` and ``null``, and a ``won`` step in every converting path would take all the
    credit. ``outcome_in_path=True`` keeps it (``"new > in_progress > won"``), for tools that
    read the outcome from the path (process mining, Sankey diagrams).

    >>> from datetime import datetime, timedelta, timezone
    >>> import leadmodel as lm
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId("L-1"), person_name="P",
    ...     topic="Chairs", contact_points=[lm.ContactPoint.email("p@mebli.ua")],
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at,
    ...     expected_value=lm.Money.of("900", "UAH")), at=at)
    >>> lead = lm.pipelines.SIMPLE.move(lead, "in_progress", at=at + timedelta(days=1))
    >>> won = lm.pipelines.SIMPLE.move(lead, "won", at=at + timedelta(days=2))
    >>> report = lm.analytics.journeys([won, lead], lm.pipelines.SIMPLE)
    >>> report.records()[0]
    {'lead_id': 'L-1', 'path': 'new > in_progress', 'conversion': 1, 'null': 0, 'outcome': 'won',
     'value_UAH': Decimal('900')}
    >>> [row.path for row in lm.analytics.journeys([won], lm.pipelines.SIMPLE,
    ...                                             outcome_in_path=True)]
    ['new > in_progress > won']
    """
    given = checked_leads("journeys", leads, pipeline)
    if type(outcome_in_path) is not bool:
        c.fail("journeys", [Problem("outcome_in_path", c.EXPECTED_BOOL, outcome_in_path)])
    known = set(pipeline.status_keys)
    cards = [lead for lead in given if lead.pipeline == pipeline.key and lead.status in known]
    rows = []
    # lead_facts keeps the same cards in the same order: the outcome rule stays in one place
    for lead, fact in zip(cards, lead_facts(cards, pipeline).rows, strict=True):
        path = [m.to_status for m in lead.history if m.pipeline == pipeline.key] or [fact.status]
        if fact.outcome is not Outcome.open and not outcome_in_path and path[-1] == fact.status:
            path.pop()
        won = fact.outcome is Outcome.won
        rows.append(
            JourneyRow(
                lead_id=fact.lead_id,
                path=_SEP.join(path),
                conversion=int(won),
                null=int(not won),
                outcome=fact.outcome,
                value=(fact.value,) if won and fact.value is not None else (),
            )
        )
    return Journeys(rows=tuple(rows), title=f"Journeys in {pipeline.key}", pipeline=pipeline.key)


# -- charts (kinds "markov" and "forecast" of Table.plot) -------------------------------------


def draw_chain(table: Any, ax: Axes) -> None:
    """Draw a :class:`MarkovChain`: a bar per open status, its win probability, with the
    expected time to close (``no estimate`` where the data cannot say).

    >>> from datetime import timedelta as td
    >>> import leadmodel as lm
    >>> from matplotlib.figure import Figure
    >>> from leadmodel.analytics.markov import draw_chain
    >>> chain = lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE, [
    ...     ("new", "in_progress", td(days=1)), ("new", "won", td(days=3)),
    ...     ("in_progress", "won", td(days=2)), ("in_progress", "lost", td(days=4))])
    >>> ax = Figure().subplots()
    >>> draw_chain(chain, ax)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['New', 'In progress']
    """
    rows = list(table.rows)
    positions = range(len(rows))
    ax.barh(positions, [row.win or 0.0 for row in rows], color="#55A868")
    ax.set_yticks(list(positions), [row.label for row in rows])
    ax.invert_yaxis()  # the first status on top
    for y, row in zip(positions, rows, strict=True):
        if row.win is None:
            text = " no estimate"
        else:
            days = row.expected_time.total_seconds() / 86400
            text = f" {row.win:.0%} · {days:.1f} d"
        ax.text(row.win or 0.0, y, text, va="center")
    ax.set_xlim(0, 1.25)
    ax.set_xlabel("win probability · expected days to close")


def draw_forecast(table: Any, ax: Axes) -> None:
    """Draw a :class:`Forecast` as a fan chart per currency: the 5th–95th percentile band of
    revenue and the median line, period by period.

    >>> from datetime import datetime, timedelta as td, timezone
    >>> import leadmodel as lm
    >>> from matplotlib.figure import Figure
    >>> from leadmodel.analytics.markov import draw_forecast
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> chain = lm.analytics.MarkovChain.from_moves(lm.pipelines.SIMPLE,
    ...     [("new", "won", td(days=20)), ("new", "lost", td(days=40))])
    >>> lead = lm.pipelines.SIMPLE.enter(lm.Lead(id=lm.LeadId("L-1"), person_name="P",
    ...     topic="Chairs", contact_points=[lm.ContactPoint.email("p@mebli.ua")],
    ...     source=lm.Source(channel=lm.Channel.form), created_at=at,
    ...     expected_value=lm.Money.of("1000", "UAH")), at=at)
    >>> ax = Figure().subplots()
    >>> draw_forecast(lm.analytics.forecast([lead], chain, at=at), ax)
    >>> [label.get_text() for label in ax.get_xticklabels()]
    ['2026-03', '2026-04', '2026-05']
    """
    periods = list(dict.fromkeys(row.period for row in table.rows))
    positions = list(range(len(periods)))
    for currency in sorted({row.currency for row in table.rows if row.currency is not None}):
        mine = {row.period: row for row in table.rows if row.currency == currency}
        low = [float(mine[p].p5) for p in periods]
        mid = [float(mine[p].p50) for p in periods]
        high = [float(mine[p].p95) for p in periods]
        ax.fill_between(positions, low, high, alpha=0.25, label=f"{currency} 5–95%")
        ax.plot(positions, mid, marker="o", label=f"{currency} median")
    ax.set_xticks(positions, periods)
    ax.set_ylabel("revenue")
    if any(row.currency is not None for row in table.rows):  # cards without a value: no fan
        ax.legend()
