"""The commands on real data: the same model, predictions and scores as the Python API."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd
import pytest
from cli_helpers import nullable_table, run_all, write_data
from sklearn import metrics

from log_reg import LogisticRegression
from log_reg.files.persistence import load


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """Every command of this module, run once: the fits, then what reads their model files."""
    folder = tmp_path_factory.mktemp("commands")
    tables = write_data(folder)
    tables["mixed"].dropna().to_csv(folder / "complete.csv", index=False)
    patients = [f"P{i:04d}" for i in range(len(tables["mixed"]))]
    tables["mixed"].assign(patient=patients).to_csv(folder / "patients.csv", index=False)
    nullable_table().to_parquet(folder / "nullable.parquet")
    cancer = tables["cancer"]
    days = pd.date_range("2020-01-01", periods=len(cancer)).strftime("%Y-%m-%d")
    cancer.assign(day=days).to_csv(folder / "dated.csv", index=False)
    fits = run_all(
        {
            "weighted": [
                "fit",
                "cancer.csv",
                "--target",
                "target",
                "--class-weight",
                "0=1,1=3",
                "--tol",
                "1e-6",
                "--seed",
                "3",
                "--standardize",
                "--out",
                "weighted.json",
            ],
            "weighted json": [
                "fit",
                "cancer.csv",
                "--target",
                "target",
                "--class-weight",
                '{"0": 1, "1": 3}',
                "--tol",
                "1e-6",
                "--standardize",
                "--out",
                "weighted-json.json",
            ],
            "cv standardized": [
                "fit",
                "cancer.csv",
                "--target",
                "target",
                "--cv",
                "3",
                "--standardize",
                "--Cs",
                "0.01,0.1,1,10",
                "--scoring",
                "accuracy",
                "--out",
                "cv-standardized.json",
            ],
            "dated": [
                "fit",
                "dated.csv",
                "--target",
                "target",
                "--drop",
                "day",
                "--standardize",
                "--out",
                "dated.json",
            ],
            "nullable": [
                "fit",
                "nullable.parquet",
                "--target",
                "y",
                "--drop-missing",
                "--out",
                "nullable.json",
            ],
            "csv": [
                "fit",
                "cancer.csv",
                "--target",
                "target",
                "--standardize",
                "--out",
                "csv.json",
            ],
            "mixed": [
                "fit",
                "mixed.csv",
                "--target",
                "diagnosis",
                "--C",
                "inf",
                "--drop-missing",
                "--out",
                "mixed.json",
            ],
            "iris": ["fit", "iris.csv", "--target", "species", "--out", "iris.json"],
            "cv": [
                "fit",
                "iris.csv",
                "--target",
                "species",
                "--cv",
                "3",
                "--plots",
                "cvplots",
                "--out",
                "cv.json",
            ],
        },
        folder,
    )
    uses = run_all(
        {
            "labels": (
                ["predict", "csv.json", "-"],
                {"stdin": (folder / "cancer.csv").read_text()},
            ),
            "proba": ["predict", "csv.json", "cancer.parquet", "--proba", "--out", "proba.csv"],
            "evaluate": ["evaluate", "csv.json", "cancer.csv", "--plots", "plots"],
            "evaluate iris": ["evaluate", "iris.json", "iris.csv", "--target", "species"],
            "mixed labels": ["predict", "mixed.json", "complete.csv"],
            "summary": ["summary", "mixed.json"],
            "ids": ["predict", "mixed.json", "patients.csv", "--id", "patient", "--drop-missing"],
            "nullable predictions": [
                "predict",
                "nullable.json",
                "nullable.parquet",
                "--drop-missing",
                "--proba",
            ],
        },
        folder,
    )
    return folder, tables, {**fits, **uses}


def test_every_command_succeeds_quietly(session):
    _, _, runs = session
    for name, run in runs.items():
        assert run.returncode == 0, (name, run.stderr)
        notes = {
            "mixed": "log-reg: dropped 1 row(s) with missing values.\n",
            "nullable": "log-reg: dropped 4 row(s) with missing values.\n",
            "ids": "log-reg: skipped 1 row(s) with missing values.\n",
            "nullable predictions": "log-reg: skipped 3 row(s) with missing values "
            "(pass --id COL to tell the rows apart).\n",
        }
        assert run.stderr == notes.get(name, ""), name


def api_model(frame, target, **params):
    """The Python API's fit on the same numbers, laid out row-major as the command lays them
    out: then even the floating-point rounding is the same, and results agree bit for bit."""
    X = frame.drop(columns=target)
    X = pd.DataFrame(np.ascontiguousarray(X.to_numpy(dtype=float)), columns=X.columns, copy=False)
    return LogisticRegression(**params).fit(X, frame[target].to_numpy()), X


def test_fit_saves_the_model_the_python_api_fits(session):
    folder, tables, _ = session
    api, _ = api_model(tables["cancer"], "target", standardize=True)
    model = load(folder / "csv.json")
    assert model.coef_.tobytes() == api.coef_.tobytes()
    assert model.intercept_.tobytes() == api.intercept_.tobytes()
    assert model.get_params() == api.get_params()
    assert model.feature_names_in_.tolist() == api.feature_names_in_.tolist()


def test_fit_reports_classes_iterations_and_training_scores(session):
    _, tables, runs = session
    api, X = api_model(tables["cancer"], "target", standardize=True)
    y = tables["cancer"]["target"].to_numpy()
    report = runs["csv"].stdout
    assert "classes   0 (212 rows), 1 (357 rows)" in report
    assert f"fit       {api.solver_}, {api.n_iter_[0]} iterations, converged" in report
    loss, accuracy = metrics.log_loss(y, api.predict_proba(X)), api.score(X, y)
    assert f"training  log-loss {loss:.4f}, accuracy {accuracy:.4f}" in report
    assert "model     csv.json" in report
    assert re.search(rf"^worst symmetry +{api.coef_[0, -2]:.4g}$", report, re.M)
    assert "std err" not in report  # penalized: no standard errors


def test_predict_writes_the_python_apis_labels_and_exact_probabilities(session):
    """Labels from CSV on standard input; probabilities from Parquet, to a file."""
    folder, tables, runs = session
    api, X = api_model(tables["cancer"], "target", standardize=True)
    labels = pd.read_csv(io.StringIO(runs["labels"].stdout))
    assert labels.columns.tolist() == ["prediction"]
    assert np.array_equal(labels["prediction"], api.predict(X))
    proba = pd.read_csv(folder / "proba.csv")  # pandas reads floats exactly
    assert proba.columns.tolist() == ["proba_0", "proba_1"]
    assert proba.to_numpy().tobytes() == api.predict_proba(X).tobytes()


def test_text_columns_are_one_hot_with_the_first_level_as_reference(session):
    folder, tables, runs = session
    frame = tables["mixed"].dropna()
    dummies = pd.get_dummies(frame, columns=["site"], prefix_sep="=", drop_first=True, dtype=float)
    api, X = api_model(dummies, "diagnosis", C=np.inf)
    model = load(folder / "mixed.json")
    assert model.feature_names_in_.tolist() == [
        "mean radius",
        "mean texture",
        "site=north",
        "site=west",
    ]
    assert model.coef_.tobytes() == api.coef_.tobytes()
    document = json.loads((folder / "mixed.json").read_text())
    assert document["encoding"] == {
        "columns": ["mean radius", "mean texture", "site"],
        "categories": {"site": ["east", "north", "west"]},
        "target": "diagnosis",
    }
    labels = pd.read_csv(io.StringIO(runs["mixed labels"].stdout))["prediction"]
    assert np.array_equal(labels, api.predict(X))


def test_an_unpenalized_fit_also_prints_the_standard_error_table(session):
    _, _, runs = session
    report = runs["mixed"].stdout
    assert "std err" in report and "site=north" in report


def test_evaluate_reports_the_scores_scikit_learn_computes(session):
    folder, tables, runs = session
    api, X = api_model(tables["cancer"], "target", standardize=True)
    y, P = tables["cancer"]["target"], api.predict_proba(X)
    report = runs["evaluate"].stdout
    assert f"accuracy  {metrics.accuracy_score(y, api.predict(X)):.4f}" in report
    assert f"log-loss  {metrics.log_loss(y, P):.4f}" in report
    assert f"ROC AUC   {metrics.roc_auc_score(y, P[:, 1]):.4f}" in report
    assert f"Brier     {metrics.brier_score_loss(y, P[:, 1]):.4f}" in report
    (tn, fp), (fn, tp) = metrics.confusion_matrix(y, api.predict(X))
    assert re.search(rf"^0 +{tn} +{fp}\n1 +{fn} +{tp}$", report, re.M)
    for name in ("roc.png", "calibration.png", "loss.png"):
        assert (folder / "plots" / name).read_bytes().startswith(b"\x89PNG"), name


def test_evaluate_many_classes_one_vs_rest(session):
    _, tables, runs = session
    api, X = api_model(tables["iris"], "species")
    y, P = tables["iris"]["species"], api.predict_proba(X)
    report = runs["evaluate iris"].stdout
    assert (
        f"ROC AUC   {metrics.roc_auc_score(y, P, multi_class='ovr'):.4f} (mean of one-vs-rest"
        in report
    )
    assert f"log-loss  {metrics.log_loss(y, P):.4f}" in report
    assert "true \\ predicted  setosa  versicolor  virginica" in report


def test_summary_says_what_the_file_holds(session):
    _, _, runs = session
    report = runs["summary"].stdout
    assert re.search(r"\(format \d+, log_reg ", report)
    assert "LogisticRegression(C=inf)" in report
    assert "classes     benign, malignant (str)" in report
    assert "'site': text, levels east, north, west (reference east)" in report
    assert "target      'diagnosis'" in report
    assert "coefficients (log-odds of malignant against benign):" in report


def test_fit_cv_chooses_C_as_logistic_regression_cv_does(session):
    from log_reg import LogisticRegressionCV

    folder, tables, runs = session
    frame = tables["iris"]
    X, y = frame.drop(columns="species").to_numpy(), frame["species"].to_numpy()
    search = LogisticRegressionCV(Cs=10, cv=3, l1_ratios=[0.0], use_legacy_attributes=False)
    search.fit(X, y)
    report = runs["cv"].stdout
    assert "cross-validation (3 folds, score: minus log-loss):" in report
    chosen = [line for line in report.splitlines() if line.endswith("<- chosen")]
    assert len(chosen) == 1 and float(chosen[0].split()[0]) == pytest.approx(search.C_, rel=1e-3)
    assert load(folder / "cv.json").C == pytest.approx(search.C_)
    for name in ("path.png", "cv.png"):
        assert (folder / "cvplots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_class_weights_tol_and_seed_reach_the_model(session):
    folder, tables, _ = session
    api, _ = api_model(
        tables["cancer"],
        "target",
        class_weight={0: 1, 1: 3},
        tol=1e-6,
        random_state=3,
        standardize=True,
    )
    model = load(folder / "weighted.json")
    assert model.get_params() == api.get_params()
    assert model.coef_.tobytes() == api.coef_.tobytes()
    assert load(folder / "weighted-json.json").coef_.tobytes() == api.coef_.tobytes()


def test_cv_with_standardize_a_C_grid_and_a_scoring(session):
    from log_reg import LogisticRegressionCV

    folder, tables, runs = session
    frame = tables["cancer"]
    X, y = frame.drop(columns="target"), frame["target"].to_numpy()
    Z = (X - X.mean()) / X.std(ddof=0)
    search = LogisticRegressionCV(
        Cs=[0.01, 0.1, 1, 10],
        cv=3,
        scoring="accuracy",
        l1_ratios=[0.0],
        use_legacy_attributes=False,
    ).fit(Z, y)
    model = load(folder / "cv-standardized.json")
    assert model.standardize and model.C == search.C_
    report = runs["cv standardized"].stdout
    assert "cross-validation (3 folds, score: accuracy, on standardized features):" in report
    assert re.search(
        rf"^ *{search.C_:.4g} +{search.scores_[:, 0].mean(axis=0).max():.5f} .*<- chosen$",
        report,
        re.M,
    )


def test_a_dropped_date_column_is_left_out(session):
    folder, _, runs = session
    assert (
        load(folder / "dated.json").feature_names_in_.tolist()
        == load(folder / "csv.json").feature_names_in_.tolist()
    )
    assert "30 features" in runs["dated"].stdout


def test_nullable_columns_with_missing_values_are_dropped(session):
    folder, _, runs = session
    complete = nullable_table().dropna()
    api = LogisticRegression().fit(
        complete.drop(columns="y").astype(float), complete["y"].to_numpy(dtype=int)
    )
    model = load(folder / "nullable.json")
    assert np.allclose(model.coef_, api.coef_, rtol=1e-10)
    proba = pd.read_csv(io.StringIO(runs["nullable predictions"].stdout))
    assert len(proba) == 57 and proba.columns.tolist() == ["proba_0", "proba_1"]


def test_predict_carries_an_id_column_and_skips_rows_with_missing_values(session):
    _, tables, runs = session
    out = pd.read_csv(io.StringIO(runs["ids"].stdout))
    assert out.columns.tolist() == ["patient", "prediction"]
    assert len(out) == len(tables["mixed"]) - 1 and "P0005" not in set(out["patient"])
    assert out["patient"].iloc[:6].tolist() == [
        "P0000",
        "P0001",
        "P0002",
        "P0003",
        "P0004",
        "P0006",
    ]
