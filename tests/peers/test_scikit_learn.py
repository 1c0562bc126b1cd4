"""Peer tests: ``PredictiveScorer`` against scikit-learn's ``CategoricalNB`` (same
probabilities to 1e-6, the same held-out ROC AUC)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]
from sklearn.naive_bayes import CategoricalNB  # type: ignore[import-untyped]

from leadmodel import Binned, PredictiveScorer
from leadmodel.domain.scoring import Field
from tests.unit.scoring._predictive import DATA, FIELDS, training_rows


def sklearn_codes(
    fields: Sequence[Field], columns: dict[str, list[object]]
) -> np.ndarray[Any, Any]:
    """Each field's values as int codes in order of first appearance (bins by hand)."""
    codes = []
    for field in fields:
        column = columns[field.name]
        if isinstance(field, Binned):
            column = [
                None if v is None else sum(float(v) >= e for e in field.edges)  # type: ignore[arg-type]
                for v in column
            ]
        numbering: dict[object, int] = {}
        codes.append([numbering.setdefault(v, len(numbering)) for v in column])
    return np.array(codes, dtype=np.intp).T


# --------------------------------------------------------------------------- against sklearn


@pytest.mark.parametrize("alpha", [1.0, 0.5, 3.0])
@pytest.mark.parametrize("vectorised", [True, False])
def test_probabilities_agree_with_sklearn_categorical_nb(alpha: float, vectorised: bool) -> None:
    """On simulated leads, P(won) equals CategoricalNB(alpha, fit_prior=True)'s to 1e-6."""
    leads = DATA.make_leads(3000, seed=11)
    fields = DATA.fields()
    trained = PredictiveScorer(fields=fields, alpha=alpha).fit(leads, vectorised=vectorised)
    columns, won = trained.extract(leads)
    ours = np.array([trained.probability(one) for one in leads])
    model = CategoricalNB(alpha=alpha, fit_prior=True).fit(sklearn_codes(fields, columns), won)
    theirs = model.predict_proba(sklearn_codes(fields, columns))[:, 1]
    assert np.abs(ours - theirs).max() < 1e-6
    assert np.abs(np.array(trained.probabilities(columns)) - theirs).max() < 1e-6


def test_roc_auc_on_held_out_leads() -> None:
    """Trained on 20,000 simulated leads, scored on 5,000 others: the same AUC as sklearn."""
    fields = DATA.fields()
    train, test = DATA.make_rows(20_000, seed=5), DATA.make_rows(5_000, seed=6)
    # the test rows hold no value unseen in training, so CategoricalNB can score them
    for name in DATA.NAMES:
        if name != "expected_value":
            assert set(test.columns[name]) <= set(train.columns[name])
    trained = PredictiveScorer(fields=fields).fit_columns(train.columns, train.won)
    ours = trained.probabilities(test.columns)
    both = {n: train.columns[n] + test.columns[n] for n in DATA.NAMES}
    codes = sklearn_codes(fields, both)
    model = CategoricalNB(alpha=1.0).fit(codes[:20_000], train.won)
    theirs = model.predict_proba(codes[20_000:])[:, 1]
    assert np.abs(np.array(ours) - theirs).max() < 1e-6
    auc = roc_auc_score(test.won, ours)
    print(f"held-out ROC AUC {auc:.4f} (sklearn {roc_auc_score(test.won, theirs):.4f})")
    assert auc == pytest.approx(roc_auc_score(test.won, theirs), abs=1e-9)
    assert auc > 0.7  # the simulation's fields carry signal; 0.5 would be guessing


@given(training_rows(), st.sampled_from([0.1, 1.0, 2.5]))
@settings(max_examples=40)
def test_any_data_agrees_with_sklearn_and_both_paths_agree(
    training: tuple[dict[str, list[object]], list[bool]], alpha: float
) -> None:
    columns, won = training
    base = PredictiveScorer(fields=FIELDS, alpha=alpha)
    vec = base.fit_columns(columns, won, vectorised=True)
    assert vec == base.fit_columns(columns, won, vectorised=False)
    p_vec = np.array(vec.probabilities(columns, vectorised=True))
    p_pure = np.array(vec.probabilities(columns, vectorised=False))
    assert np.abs(p_vec - p_pure).max() < 1e-12
    codes = sklearn_codes(FIELDS, columns)
    theirs = CategoricalNB(alpha=alpha).fit(codes, won).predict_proba(codes)[:, 1]
    assert np.abs(p_vec - theirs).max() < 1e-6
