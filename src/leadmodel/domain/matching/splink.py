"""A trained :class:`~leadmodel.MatchModel` as a splink model: its settings, the prepared
columns it compares, and its term-frequency tables — so a base that outgrows one machine runs
the same model on splink's DuckDB or Spark backends.

splink compares columns, not records: :func:`splink_frame` prepares one column per field and
normalisation a comparison reads (``name__name``, ``email__text``...), and one per derived form
a level or blocking key needs (``__folded``, ``__initial``, ``__company``, ``__namesake``,
``__prefix3``, ``__suffix3``), each computed by leadmodel's own reading and normalisation, so
splink sees exactly the values leadmodel compared. :func:`to_splink_settings` is the settings
dictionary (the form ``splink.Linker(table, settings)`` and
``SettingsCreator.from_path_or_dict`` accept: no splink import here), with the model's ``m``,
``u`` and prior as they are — no splink training needed. :func:`splink_term_frequencies` is
the model's frequency tables, to register with
``linker.table_management.register_term_frequency_lookup``.

Levels → SQL (``c`` the comparison's prepared column; levels are tried in order, the first
that holds wins, in both systems; a missing value is the null level, weighing nothing):

============================  =============================================================
``exact``                     ``c_l = c_r``
``jaro_winkler >= t``         ``jaro_winkler_similarity(c_l, c_r) >= t`` (Spark: ``jaro_winkler``)
``levenshtein <= k``          ``levenshtein(c_l, c_r) <= k``
``damerau <= k``              ``damerau_levenshtein(c_l, c_r) <= k``
``folded``                    ``c__folded_l = c__folded_r``
``initial``                   ``c__initial_l = c__initial_r``
``swapped``                   ``c_l = s_r AND s_l = c_r`` (``s``: ``swap_with``, prepared alike)
``same_company_mail``         ``c__company_l = c__company_r``
``namesake_mail``             ``c__namesake_l = c__namesake_r``
``words >= t``                approximation only (``approximate=True``), see below
``some_word >= t``            approximation only (``approximate=True``), see below
*else*                        ``ELSE``
============================  =============================================================

Where the two systems can differ:

* ``words`` and ``some_word`` have no function in splink's dialects; with ``approximate=True``
  they become SQL list expressions that compute the same word-by-word similarity, except
  that the word similarity ``1 - distance / longer length`` uses the SQL engine's
  Damerau–Levenshtein distance (unrestricted) where leadmodel uses optimal string alignment.
  The unrestricted distance is never larger, so a pair may reach such a level in splink and
  not in leadmodel (``ca``/``abc``: 2 edits against 3); without ``approximate=True`` such a
  level raises :class:`~leadmodel.errors.ValidationError`.
* ``damerau <= k`` for ``k >= 2``: the same difference of distances (DuckDB's
  ``damerau_levenshtein`` is the unrestricted distance). For ``k = 1`` both agree exactly.
* Blocking: splink compares every pair of a block; leadmodel pairs a block larger than
  ``max_block`` as a sorted neighbourhood. splink's candidates are then a superset (the
  pairs both score get the same probability).
* Term frequencies (``tf``): leadmodel weighs an exact agreement on a value in
  :attr:`~leadmodel.Comparison.frequencies` by ``min(log2(m / share), log2(m / u))`` and any
  other value by ``log2(m / u)``. The exported level has ``tf_minimum_u_value = u``, so
  splink weighs it by ``log2(m / max(tf, u))`` — the same — where ``tf`` is the value's
  share in splink's term-frequency table. With the tables of
  :func:`splink_term_frequencies` registered, a value not in them has no ``tf`` and keeps
  ``log2(m / u)``: identical to leadmodel. Without them splink computes each value's share in
  the data it is given: common values agree (on the data the model was trained on), but a
  value held once gets ``log2(m / max(1 / n, u))`` — lower than leadmodel's when ``u < 1/n``
  (``n`` the records with a value) — and on a larger base the shares are that base's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Literal

from leadmodel._kernel import checks as c
from leadmodel.domain.matching._vectors import (
    _NO_COMPANY,
    _company_domain,
    _namesake_mail,
    fold,
    normalised,
    raw_value,
    record_id,
)
from leadmodel.domain.matching.model import (
    Comparison,
    Level,
    LevelKind,
    MatchModel,
    Normalise,
)
from leadmodel.errors import Problem

__all__ = ["splink_frame", "splink_term_frequencies", "to_splink_settings"]

Dialect = Literal["duckdb", "spark"]

_FUNCTIONS: Final[dict[str, dict[str, str]]] = {
    "duckdb": {
        "jaro_winkler": "jaro_winkler_similarity",
        "levenshtein": "levenshtein",
        "damerau": "damerau_levenshtein",
        "transform": "list_transform",
        "filter": "list_filter",
        "max": "list_max",
        "min": "list_min",
        "size": "len",
        "split": "string_split",
        "lambda": "lambda {name}: {body}",
    },
    "spark": {
        "jaro_winkler": "jaro_winkler",
        "levenshtein": "levenshtein",
        "damerau": "damerau_levenshtein",
        "transform": "transform",
        "filter": "filter",
        "max": "array_max",
        "min": "array_min",
        "size": "size",
        "split": "split",
        "lambda": "{name} -> {body}",
    },
}

_APPROXIMATE: Final = (LevelKind.words, LevelKind.some_word)
_UNSAFE = re.compile(r"[^0-9a-z]+")

# A prepared column: (field, normalisation, form, length); form is "value" (the normalised
# value), "folded", "initial", "company", "namesake", "prefix" or "suffix" (length characters).
_Spec = tuple[str, Normalise, str, int]


def _name(spec: _Spec) -> str:
    field, how, form, length = spec
    base = f"{_UNSAFE.sub('_', field.lower()).strip('_') or 'field'}__{how.value}"
    if form == "value":
        return base
    return f"{base}__{form}{length if length else ''}"


class _Columns:
    """The prepared columns a model needs, by name, in order of first use."""

    def __init__(self, model: MatchModel) -> None:
        self.specs: dict[str, _Spec] = {}
        clashes: list[str] = []
        self._clashes = clashes
        for comparison in model.comparisons:
            how = comparison.normalise
            self.add((comparison.field_path, how, "value", 0))
            for level in comparison.levels:
                if level.kind in (LevelKind.folded, LevelKind.initial):
                    self.add((comparison.field_path, how, level.kind.value, 0))
                elif level.kind is LevelKind.same_company_mail:
                    self.add((comparison.field_path, how, "company", 0))
                elif level.kind is LevelKind.namesake_mail:
                    self.add((comparison.field_path, how, "namesake", 0))
                elif level.kind is LevelKind.swapped and comparison.swap_with:
                    self.add((comparison.swap_with, how, "value", 0))
        hows = {x.field_path: x.normalise for x in model.comparisons}  # as blocking reads them
        self.rules: list[str] = []
        for rule in model.blocking:
            parts = []
            for key in rule.parsed:
                how = hows.get(key.field, Normalise.text)
                if key.how == "sound":
                    spec: _Spec = (key.field, how, "folded", 0)
                elif key.how in ("prefix", "suffix"):
                    spec = (key.field, how, key.how, key.length)
                else:
                    spec = (key.field, how, "value", 0)
                name = self.add(spec)
                parts.append(f"l.{name} = r.{name}")
            self.rules.append(" AND ".join(parts))
        if clashes:
            c.fail(
                "splink",
                [Problem("model", "fields whose column names clash once made SQL-safe", clashes)],
            )

    def add(self, spec: _Spec) -> str:
        name = _name(spec)
        known = self.specs.setdefault(name, spec)
        if known != spec:
            self._clashes.append(f"{known[0]} / {spec[0]}")
        return name


def _checked(model: object, where: str) -> MatchModel:
    if not isinstance(model, MatchModel) or not model.trained:
        c.fail(where, [Problem("model", "a trained MatchModel (see fit())", model)])
    return model


def _number(value: float | None) -> str:
    number = float(value or 0)
    return str(int(number)) if number.is_integer() else repr(number)


def _lambda(fn: Mapping[str, str], name: str, body: str) -> str:
    return fn["lambda"].format(name=name, body=body)


def _word_list(column: str, fn: Mapping[str, str], shortest: int) -> str:
    """The words of ``column`` of ``shortest`` letters or more, as an SQL list."""
    keep = _lambda(fn, "w", f"length(w) >= {shortest}")
    return f"{fn['filter']}({fn['split']}({column}, ' '), {keep})"


def _best(outer: str, inner: str, fn: Mapping[str, str], worst: str) -> str:
    """``worst`` (min or max) over ``outer``'s words ``x`` of the best similarity to a word
    ``y`` of ``inner`` — similarity ``1 - distance / longer length``."""
    sim = f"1.0 - {fn['damerau']}(x, y) / greatest(length(x), length(y))"
    best = f"{fn['max']}({fn['transform']}({inner}, {_lambda(fn, 'y', sim)}))"
    return f"{fn[worst]}({fn['transform']}({outer}, {_lambda(fn, 'x', best)}))"


def _approximation(kind: LevelKind, column: str, threshold: str, fn: Mapping[str, str]) -> str:
    """The SQL of a ``words`` or ``some_word`` level (see the module docstring)."""
    left, right = f"{column}_l", f"{column}_r"
    if kind is LevelKind.some_word:  # the best pair of words of two letters or more
        wl, wr = _word_list(left, fn, 2), _word_list(right, fn, 2)
        return f"{_best(wl, wr, fn, 'max')} >= {threshold}"
    # name_similarity: each word of the name with fewer words against its best match in the
    # other, the worst decides; both ways when the names have as many words
    wl, wr = _word_list(left, fn, 1), _word_list(right, fn, 1)
    forward, backward = _best(wl, wr, fn, "min"), _best(wr, wl, fn, "min")
    size_l, size_r = f"{fn['size']}({wl})", f"{fn['size']}({wr})"
    return (
        f"({left} = {right} OR (CASE WHEN {size_l} < {size_r} THEN {forward} "
        f"WHEN {size_l} > {size_r} THEN {backward} "
        f"ELSE least({forward}, {backward}) END) >= {threshold})"
    )


_SIMPLE: Final = {
    LevelKind.exact: "{l} = {r}",
    LevelKind.jaro_winkler: "{jaro_winkler}({l}, {r}) >= {t}",
    LevelKind.levenshtein: "{levenshtein}({l}, {r}) <= {t}",
    LevelKind.damerau: "{damerau}({l}, {r}) <= {t}",
}
_DERIVED_FORM: Final = {
    LevelKind.folded: "folded",
    LevelKind.initial: "initial",
    LevelKind.same_company_mail: "company",
    LevelKind.namesake_mail: "namesake",
}


def _condition(comparison: Comparison, level: Level, fn: Mapping[str, str]) -> str:
    """The SQL condition of one level (see the module docstring)."""
    how, field = comparison.normalise, comparison.field_path
    column = _name((field, how, "value", 0))
    left, right = f"{column}_l", f"{column}_r"
    kind, threshold = level.kind, _number(level.threshold)
    if kind in _SIMPLE:
        return _SIMPLE[kind].format(l=left, r=right, t=threshold, **fn)
    if kind in _DERIVED_FORM:
        derived = _name((field, how, _DERIVED_FORM[kind], 0))
        return f"{derived}_l = {derived}_r"
    if kind is LevelKind.swapped:
        other = _name((comparison.swap_with or field, how, "value", 0))
        return f"{left} = {other}_r AND {other}_l = {right}"
    return _approximation(kind, column, threshold, fn)


def _levels(comparison: Comparison, fn: Mapping[str, str]) -> list[dict[str, Any]]:
    column = _name((comparison.field_path, comparison.normalise, "value", 0))
    out: list[dict[str, Any]] = [
        {
            "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
            "label_for_charts": "missing",
            "is_null_level": True,
        }
    ]
    for index, level in enumerate(comparison.levels):
        made: dict[str, Any] = {
            "sql_condition": _condition(comparison, level, fn),
            "label_for_charts": level.label,
            "m_probability": level.m,
            "u_probability": level.u,
        }
        if level.fixed:
            made["fix_m_probability"] = True
        if index == 0 and comparison.tf:  # leadmodel weighs its first level by frequency
            made["tf_adjustment_column"] = column
            made["tf_adjustment_weight"] = 1.0
            made["tf_minimum_u_value"] = level.u
            made["disable_tf_exact_match_detection"] = True  # the level's own u
        out.append(made)
    out.append(
        {
            "sql_condition": "ELSE",
            "label_for_charts": "else",
            "m_probability": comparison.else_m,
            "u_probability": comparison.else_u,
        }
    )
    return out


def to_splink_settings(
    model: MatchModel, *, approximate: bool = False, dialect: Dialect = "duckdb"
) -> dict[str, Any]:
    """``model`` (trained) as a splink settings dictionary, for ``splink.Linker(table,
    settings)`` over the rows of :func:`splink_frame` (``id`` the unique id): a
    deduplication with the model's blocking rules (one SQL rule per :class:`Blocking`), its
    comparisons (``output_column_name`` the comparison's key; the null level, each level in
    order, the *else* level) with their ``m``/``u``, and its prior. The SQL is in ``dialect``'s
    function names (``"duckdb"`` or ``"spark"``). ``words`` and ``some_word`` levels are SQL
    approximations, allowed only with ``approximate=True``; see the module docstring for the
    mapping and where splink and leadmodel can differ. Raises
    :class:`~leadmodel.errors.ValidationError` for an untrained model, or for such a level
    without ``approximate``.

    >>> import attrs
    >>> import leadmodel as lm
    >>> model = lm.MatchModel(comparisons=[
    ...     lm.Comparison(field_path="name", normalise="name", tf=True, levels=[
    ...         lm.Level("exact", m=0.8, u=0.01), lm.Level("jaro_winkler", 0.9, m=0.15, u=0.04)],
    ...         else_m=0.05, else_u=0.95, frequencies={"ivan": 0.02})],
    ...     blocking=[lm.Blocking(keys=["prefix(name, 3)"])], prior=0.001)
    >>> settings = to_splink_settings(model)
    >>> settings["blocking_rules_to_generate_predictions"]
    ['l.name__name__prefix3 = r.name__name__prefix3']
    >>> [level["sql_condition"] for level in settings["comparisons"][0]["comparison_levels"]]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['name__name_l IS NULL OR name__name_r IS NULL', 'name__name_l = name__name_r',
     'jaro_winkler_similarity(name__name_l, name__name_r) >= 0.9', 'ELSE']
    >>> to_splink_settings(attrs.evolve(model, prior=None))
    Traceback (most recent call last):
    ...
    leadmodel.errors.ValidationError: to_splink_settings.model: a trained MatchModel ...
    """
    model = _checked(model, "to_splink_settings")
    p: c.Problems = []
    if type(approximate) is not bool:
        p.append(Problem("approximate", "approximate is True or False", approximate))
    if dialect not in _FUNCTIONS:
        p.append(Problem("dialect", "'duckdb' or 'spark'", dialect))
    for comparison in model.comparisons:
        for level in comparison.levels:
            if level.kind in _APPROXIMATE and approximate is not True:
                what = (
                    f"splink has no {level.kind.value} similarity; pass approximate=True for "
                    "an SQL approximation"
                )
                p.append(Problem(f"comparisons[{comparison.key}].{level.label}", what))
    if p:
        c.fail("to_splink_settings", p)
    fn = _FUNCTIONS[dialect]
    columns = _Columns(model)
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "id",
        "probability_two_random_records_match": model.prior,
        "blocking_rules_to_generate_predictions": list(columns.rules),
        "comparisons": [
            {
                "output_column_name": comparison.key,
                "comparison_description": f"{comparison.field_path} ({comparison.normalise})",
                "comparison_levels": _levels(comparison, fn),
            }
            for comparison in model.comparisons
        ],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": False,
        "sql_dialect": dialect,
    }


def _company(value: str) -> str:
    """The company domain of an address, or (free mail, no domain) a value of its own — the
    address and ``@``, never a domain — as leadmodel's ``same_company_mail`` compares them."""
    found = _company_domain(value)
    return found[: -len(_NO_COMPANY)] + "@" if found.endswith(_NO_COMPANY) else found


def _namesake(value: str) -> str:
    """The name an address spells at a company's own domain, or (free mail, no domain) a value
    of its own, as leadmodel's ``namesake_mail`` compares them (see :func:`_company`)."""
    found = _namesake_mail(value)
    return found[: -len(_NO_COMPANY)] + "@" if found.endswith(_NO_COMPANY) else found


_FORMS: Final[dict[str, Callable[[str], str]]] = {
    "folded": fold,
    "initial": lambda value: fold(value)[:1] or value[:1],
    "company": _company,
    "namesake": _namesake,
}


def _derive(value: str, form: str, length: int) -> str:
    if form in _FORMS:
        return _FORMS[form](value)
    if form == "prefix":
        return value[:length]
    if form == "suffix":
        return value[-length:]
    return value


def splink_frame(records: Iterable[object], model: MatchModel) -> list[dict[str, Any]]:
    """The rows splink compares for ``model``: per record (entities, or mappings with an
    ``"id"``), its ``id`` and each prepared column :func:`to_splink_settings` names, computed
    as leadmodel reads and normalises them (``None`` for a missing value).
    ``pandas.DataFrame(rows)`` makes the frame splink registers.

    >>> import leadmodel as lm
    >>> model = lm.MatchModel(comparisons=[lm.Comparison(field_path="name", normalise="name",
    ...     levels=[lm.Level("exact", m=0.9, u=0.01), lm.Level("initial", m=0.05, u=0.1)],
    ...     else_m=0.05, else_u=0.89)], blocking=[lm.Blocking(keys=["sound(name)"])], prior=0.01)
    >>> splink_frame([{"id": 1, "name": "KOVAL Olena"}, {"id": 2, "name": None}], model)
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'id': '1', 'name__name': 'koval olena', 'name__name__initial': 'k',
      'name__name__folded': 'koval olena'},
     {'id': '2', 'name__name': None, 'name__name__initial': None, 'name__name__folded': None}]
    """
    model = _checked(model, "splink_frame")
    specs = _Columns(model).specs
    rows: list[dict[str, Any]] = []
    memo: dict[tuple[object, Normalise], str | None] = {}
    for record in records:
        row: dict[str, Any] = {"id": record_id(record)}
        for name, (field, how, form, length) in specs.items():
            raw = raw_value(record, field)
            try:
                value = (
                    memo[raw, how]
                    if (raw, how) in memo
                    else memo.setdefault((raw, how), normalised(raw, how))
                )
            except TypeError:  # a value that cannot be a dict key (a list in custom)
                value = normalised(raw, how)
            row[name] = None if value is None else _derive(value, form, length)
        rows.append(row)
    return rows


def splink_term_frequencies(model: MatchModel) -> dict[str, list[dict[str, Any]]]:
    """The frequency tables of ``model``'s ``tf`` comparisons, per prepared column: rows of
    the value and its share (``{column: value, "tf_" + column: share}``), to register with
    ``linker.table_management.register_term_frequency_lookup`` so splink weighs exact
    agreements as leadmodel does (see the module docstring).

    >>> import leadmodel as lm
    >>> model = lm.MatchModel(comparisons=[lm.Comparison(field_path="city", tf=True,
    ...     levels=[lm.Level("exact", m=0.9, u=0.2)], else_m=0.1, else_u=0.8,
    ...     frequencies={"kyiv": 0.4})], blocking=[lm.Blocking(keys=["city"])], prior=0.01)
    >>> splink_term_frequencies(model)
    {'city__text': [{'city__text': 'kyiv', 'tf_city__text': 0.4}]}
    """
    model = _checked(model, "splink_term_frequencies")
    out: dict[str, list[dict[str, Any]]] = {}
    for comparison in model.comparisons:
        if comparison.tf:
            name = _name((comparison.field_path, comparison.normalise, "value", 0))
            out[name] = [
                {name: value, f"tf_{name}": share}
                for value, share in comparison.frequencies.items()
            ]
    return out
