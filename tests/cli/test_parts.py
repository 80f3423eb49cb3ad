"""The command's parts, in-process: metrics against scikit-learn and SciPy, the progress line,
the table rules, exact CSV output."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata
from sklearn import calibration, metrics

from log_reg import LogisticRegression
from log_reg.cli._io import Table, write_csv
from log_reg.cli._metrics import average_ranks, calibration_bins, evaluate, rank_auc, roc_curve
from log_reg.cli._progress import Progress, attach
from log_reg.cli._table import encode, learn_encoding, match_labels


def scores_with_ties(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(bool)
    scores = np.round(rng.normal(size=n) + y, 1)  # rounding makes many ties
    return scores, y


def test_average_ranks_match_scipy():
    scores, _ = scores_with_ties()
    assert np.array_equal(average_ranks(scores), rankdata(scores, method="average"))


def test_rank_auc_matches_scikit_learn_with_ties():
    for seed in range(5):
        scores, y = scores_with_ties(seed=seed)
        assert rank_auc(scores, y) == pytest.approx(metrics.roc_auc_score(y, scores), rel=1e-12)
    assert np.isnan(rank_auc(np.array([0.1, 0.2]), np.array([True, True])))


def test_the_roc_curve_encloses_the_rank_auc():
    scores, y = scores_with_ties(seed=7)
    fpr, tpr = roc_curve(scores, y)
    sk_fpr, sk_tpr, _ = metrics.roc_curve(y, scores, drop_intermediate=False)
    assert np.allclose(fpr, sk_fpr) and np.allclose(tpr, sk_tpr)
    assert np.trapezoid(tpr, fpr) == pytest.approx(rank_auc(scores, y), rel=1e-12)


def test_calibration_bins_match_scikit_learn():
    rng = np.random.default_rng(1)
    p = rng.uniform(size=500)
    y = rng.uniform(size=500) < p
    predicted, observed = calibration_bins(p, y)
    sk_observed, sk_predicted = calibration.calibration_curve(y, p, n_bins=10)
    assert np.allclose(predicted, sk_predicted) and np.allclose(observed, sk_observed)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_evaluate_matches_scikit_learn(n_classes):
    rng = np.random.default_rng(n_classes)
    X = rng.normal(size=(150, 3))
    y = (X[:, 0] + rng.normal(size=150) > 0).astype(int) + (n_classes == 3) * (X[:, 1] > 1)
    model = LogisticRegression().fit(X, y)
    P, predicted = model.predict_proba(X), model.predict(X)
    e = evaluate(y, P, model.predict_log_proba(X), predicted)
    assert e.accuracy == metrics.accuracy_score(y, predicted)
    assert e.log_loss == pytest.approx(metrics.log_loss(y, P), rel=1e-12)
    assert e.brier == pytest.approx(
        metrics.brier_score_loss(y, P if n_classes > 2 else P[:, 1]), rel=1e-12
    )
    auc = metrics.roc_auc_score(y, P if n_classes > 2 else P[:, 1], multi_class="ovr")
    assert e.mean_auc == pytest.approx(auc, rel=1e-12)
    assert np.array_equal(e.confusion, metrics.confusion_matrix(y, predicted))


class Terminal(io.StringIO):
    def __init__(self, tty=True):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


class Info:
    def __init__(self, iteration):
        self.iteration, self.loss, self.optimality = iteration, 0.5 / iteration, 10.0**-iteration


def drive(stream, times, **options):
    clock = iter(times)
    with Progress(stream, clock=lambda: next(clock), **options) as progress:
        for i in range(1, len(times)):
            progress(Info(i))
    return stream.getvalue()


def test_progress_waits_a_second_then_redraws_ten_times_a_second_then_erases():
    out = drive(Terminal(), [0.0, 0.5, 1.0, 1.05, 1.15, 1.3])  # start, then one per iteration
    assert out == (
        "\riteration 2   loss 0.25   max |gradient| 1.0e-02\x1b[K"
        "\riteration 4   loss 0.125   max |gradient| 1.0e-04\x1b[K"
        "\riteration 5   loss 0.1   max |gradient| 1.0e-05\x1b[K"
        "\r\x1b[K"
    )


@pytest.mark.parametrize(("tty", "enabled"), [(False, True), (True, False)])
def test_progress_is_silent_off_a_terminal_or_when_quiet(tty, enabled):
    assert drive(Terminal(tty), [0.0, 5.0, 10.0], enabled=enabled) == ""


def test_progress_is_silent_for_a_short_fit():
    assert drive(Terminal(), [0.0, 0.2, 0.4, 0.9]) == ""


def test_attach_uses_a_callback_parameter_when_the_estimator_has_one():
    class WithHook(LogisticRegression):
        def __init__(self, C=1.0, callback=None):
            super().__init__(C=C)
            self.callback = callback

    assert attach(WithHook(), print) and WithHook().set_params(callback=print).callback is print
    assert attach(LogisticRegression(), print) == ("callback" in LogisticRegression().get_params())


def test_csv_output_keeps_every_bit(capsys):
    values = np.random.default_rng(0).uniform(size=(20, 2))
    write_csv(["a", "b"], values.tolist(), None)
    assert (
        pd.read_csv(io.StringIO(capsys.readouterr().out)).to_numpy().tobytes() == values.tobytes()
    )


def test_booleans_are_numbers_and_text_is_levels():
    frame = pd.DataFrame(
        {"flag": [True, False, True, True], "size": ["S", "M", "L", "M"], "y": [0, 1, 0, 1]}
    )
    table = Table(frame, "t.csv")
    encoding = learn_encoding(table, ["flag", "size"], "y")
    assert encoding.categories == {"size": ("L", "M", "S")}
    X = encode(table, encoding)
    assert X.columns.tolist() == ["flag", "size=M", "size=S"]
    assert X.to_numpy().tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 0]]


def test_labels_match_the_models_classes_across_types():
    table = Table(pd.DataFrame({"y": [1.0, 0.0, 1.0]}), "t.csv")  # floats read for whole numbers
    assert match_labels(table, "y", np.array([0, 1])).tolist() == [1, 0, 1]
    table = Table(pd.DataFrame({"y": [2, 1]}), "t.csv")  # numbers read for text labels
    assert match_labels(table, "y", np.array(["1", "2"], dtype=object)).tolist() == [1, 0]


def test_progress_takes_the_solvers_iteration_info():
    from log_reg.solvers import IterationInfo

    clock, stream = iter([0.0, 2.0]), Terminal()
    Progress(stream, clock=lambda: next(clock))(
        IterationInfo(iteration=3, loss=0.5, optimality=1e-3)
    )
    assert stream.getvalue() == "\riteration 3   loss 0.5   max |gradient| 1.0e-03\x1b[K"


def test_models_from_the_python_api_work_with_the_command_when_they_can(tmp_path, capsys):
    from log_reg.cli import main
    from log_reg.files.persistence import save

    frame = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0], "y": [0, 0, 1, 1]})
    frame.to_csv(tmp_path / "d.csv", index=False)
    save(
        LogisticRegression().fit(frame[["a", "b"]], frame["y"].to_numpy()), tmp_path / "named.json"
    )
    save(
        LogisticRegression().fit(frame[["a", "b"]].to_numpy(), frame["y"].to_numpy()),
        tmp_path / "bare.json",
    )
    assert main(["predict", str(tmp_path / "named.json"), str(tmp_path / "d.csv")]) == 0
    assert capsys.readouterr().out == "prediction\n0\n0\n1\n1\n"
    assert main(["evaluate", str(tmp_path / "named.json"), str(tmp_path / "d.csv")]) == 2
    assert "does not name its target column: pass --target COL." in capsys.readouterr().err
    assert (
        main(["evaluate", str(tmp_path / "named.json"), str(tmp_path / "d.csv"), "--target", "y"])
        == 0
    )
    assert "accuracy  1.0000" in capsys.readouterr().out
    assert main(["predict", str(tmp_path / "bare.json"), str(tmp_path / "d.csv")]) == 2
    assert "the model has no feature names" in capsys.readouterr().err
    assert main(["summary", str(tmp_path / "bare.json")]) == 0
    assert "x1" in capsys.readouterr().out  # features named by position


def test_an_auc_without_both_kinds_of_rows_is_not_a_number():
    from log_reg.cli._report import evaluation_report

    P = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1]])
    text = evaluation_report(
        evaluate(np.array([0, 1]), P, np.log(P), np.array([0, 1])), ["a", "b", "c"]
    )
    assert "ROC AUC   1.0000 (mean of one-vs-rest: a 1.0000, b 1.0000, c n/a)" in text
