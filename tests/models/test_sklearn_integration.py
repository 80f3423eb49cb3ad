"""Works where scikit-learn estimators work: clone, Pipeline, GridSearchCV, cross_val_score."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_problem
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from log_reg import LogisticRegression


def test_clone_pipeline_grid_search_and_cross_validation():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(C=0.5, l1_ratio=0.2)
    twin = clone(model)
    assert twin is not model and twin.get_params() == model.get_params() and is_classifier(model)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    assert pipe.fit(X, y).score(X, y) > 0.9
    grid = GridSearchCV(LogisticRegression(), {"C": [0.01, 1.0, 100.0]}, cv=3).fit(X, y)
    assert grid.best_params_["C"] in (0.01, 1.0, 100.0)
    scores = cross_val_score(LogisticRegression(), X, y, cv=5)
    assert scores.shape == (5,) and np.all(scores > 0.85)


def test_feature_names_from_data_frames():
    pd = pytest.importorskip("pandas")
    X, y = make_problem(n=50, d=2)
    frame = pd.DataFrame(X, columns=["age", "income"])
    model = LogisticRegression().fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, ["age", "income"])
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(frame.rename(columns={"age": "height"}))
