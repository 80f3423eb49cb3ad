"""The command's parts, in-process: metrics against scikit-learn and SciPy, the progress line,
the table rules, exact CSV output."""

from __future__ import annotations

import io
import re

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
    with Progress(stream, total=100, clock=lambda: next(clock), **options) as progress:
        for i in range(1, len(times)):
            progress(Info(i))
    return stream.getvalue()


def drawn(out):
    """The iterations a bar was drawn at, from rich's output (the last drawing repeated at
    the stop, then erased)."""
    return [int(n) for n in re.findall(r"iteration (\d+)/100", out)]


def test_progress_waits_a_second_then_redraws_ten_times_a_second_then_erases():
    out = drive(Terminal(), [0.0, 0.5, 1.0, 1.05, 1.15, 1.3])  # start, then one per iteration
    assert drawn(out) == [2, 4, 5, 5]
    assert "loss 0.125 max |gradient| 1.0e-04" in out
    assert out.endswith("\x1b[2K")  # erased: the report starts on a clean line


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
    with Progress(stream, total=100, clock=lambda: next(clock)) as progress:
        progress(IterationInfo(iteration=3, loss=0.5, optimality=1e-3))
    assert drawn(stream.getvalue())[0] == 3
    assert "loss 0.5 max |gradient| 1.0e-03" in stream.getvalue()


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


# -- the report's tables (rich) -----------------------------------------------------------


def test_tables_are_plain_text_off_a_terminal_and_styled_on_one(monkeypatch):
    from log_reg.cli._report import table

    rows = [["(intercept)", "0.5"], ["a [b]", "-1.25"]]  # brackets: no rich markup
    plain = table(["feature", "coef"], rows, title="coefficients:")
    assert plain == "coefficients:\nfeature       coef\n(intercept)    0.5\na [b]        -1.25"
    monkeypatch.setattr("sys.stdout", Terminal())
    styled = table(["feature", "coef"], rows, title="coefficients:")
    assert "\x1b[1m" in styled and "a [b]" in styled


def test_a_long_table_is_not_wrapped_off_a_terminal():
    from log_reg.cli._report import table

    name = "a feature with a very long name " * 5
    assert (
        table(["feature", "coef"], [[name.strip(), "1"]]).splitlines()[1] == f"{name.strip()}     1"
    )


def test_fit_facts_hint_only_what_can_help():
    from log_reg.cli._report import fit_facts

    def fitted(n_iter, max_iter, standardize, converged=False):
        model = LogisticRegression(max_iter=max_iter, standardize=standardize)
        model.n_iter_, model.converged_, model.solver_ = np.array([n_iter]), converged, "newton"
        return fit_facts(model)

    assert (
        fitted(100, 100, False)
        == "newton, 100 iterations, NOT converged (try --max-iter or --standardize)"
    )
    assert fitted(100, 100, True) == "newton, 100 iterations, NOT converged (try --max-iter)"
    assert fitted(0, 100, True) == "newton, 0 iterations, NOT converged"
    assert fitted(7, 100, False, converged=True) == "newton, 7 iterations, converged"


# -- the table rules and the options -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date_like"),
    [
        ("2024-01-31", True),
        ("2024/1/31", True),
        ("31.01.2024", True),
        ("01/31/2024", True),
        ("2024-01-31T12:30:00Z", True),
        ("2024-01-31 12:30", True),
        ("12:30:15.5", True),
        ("north", False),
        ("1.2.3", False),
        ("A-12-3", False),
        ("2024", False),
    ],
)
def test_what_counts_as_a_date(text, date_like):
    from log_reg.cli._table import DATE_LIKE

    assert bool(DATE_LIKE.fullmatch(text)) == date_like


def test_class_weights_in_every_form():
    from log_reg.cli._table import class_weights

    labels = np.array([0, 1, 1, 2])
    assert class_weights(None, labels) is None
    assert class_weights("balanced", labels) == "balanced"
    assert class_weights("0=1,2=3.5", labels) == {0: 1.0, 2: 3.5}
    assert class_weights('{"1": 2, "0": 0}', labels) == {1: 2.0, 0: 0.0}
    booleans = np.array([True, False])
    assert class_weights("True=2", booleans) == {True: 2.0}
    for bad in ("0=1,9=2", "0=x", "0", "0=inf", '{"0": [1]}', "{"):
        with pytest.raises(ValueError, match="--class-weight"):
            class_weights(bad, labels)


def test_the_Cs_option():
    from log_reg.cli._cv import parse_Cs

    assert parse_Cs("5") == 5 and parse_Cs("1e-2,1,100") == [0.01, 1.0, 100.0]
    for bad in ("1", "0", "a,b", "1,1", "1,inf", "-1,2"):
        with pytest.raises(ValueError, match="--Cs must be"):
            parse_Cs(bad)


# -- the plots -----------------------------------------------------------------------------


def legend_of(figure):
    legend = figure.legends[0] if figure.legends else figure.axes[0].get_legend()
    return legend, [t.get_text() for t in legend.get_texts()]


def search_on(frame, target, **options):
    from log_reg.cli._cv import search

    X, y = frame.drop(columns=target), frame[target].to_numpy()
    fit_options = {"l1_ratio": 0.0, "solver": "auto", "max_iter": 100, "tol": 1e-4}
    fit_options |= {"class_weight": None, "random_state": None}
    found = search(X, y, folds=3, fit_options=fit_options, Cs=4, scoring="neg_log_loss", **options)
    return found, y, list(X.columns)


def test_the_path_plot_of_three_classes_has_a_panel_per_class_and_a_legend_beside():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from sklearn.datasets import load_iris

    from log_reg.cli._cv import cv_figures

    iris = load_iris(as_frame=True)
    frame = iris.data.assign(species=iris.target_names[iris.target])
    found, y, names = search_on(frame, "species", standardize=False)
    figure = cv_figures(found, y, names, np.unique(y))["path.png"]
    assert [ax.get_title() for ax in figure.axes] == [
        "class setosa",
        "class versicolor",
        "class virginica",
    ]
    legend, texts = legend_of(figure)
    assert sorted(texts) == sorted(names)
    assert legend.get_title().get_text() == "features (all)"
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # the constrained layout places the legend
    renderer = canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    assert all(not box.overlaps(ax.get_window_extent(renderer)) for ax in figure.axes)


def test_the_path_plot_names_the_largest_features_and_says_so():
    from sklearn.datasets import load_breast_cancer

    from log_reg.cli._cv import LEGEND_FEATURES, cv_figures

    frame = load_breast_cancer(as_frame=True).frame
    found, y, names = search_on(frame, "target", standardize=True)
    figure = cv_figures(found, y, names, np.unique(y))["path.png"]
    legend, texts = legend_of(figure)
    assert len(texts) == LEGEND_FEATURES and set(texts) <= set(names)
    assert legend.get_title().get_text() == f"features (largest {LEGEND_FEATURES} of 30)"
    assert figure.axes[0].get_title() == "log-odds of 1 against 0"
    assert figure.axes[0].get_ylabel() == "coefficient (standardized)"


def test_the_roc_legend_gives_each_auc():
    from log_reg.cli._plots import figures

    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 2))
    y = (X[:, 0] + rng.normal(size=120) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    P = model.predict_proba(X)
    _, texts = legend_of(figures(y=y, P=P, model=model)["roc.png"])
    auc = metrics.roc_auc_score(y, P[:, 1])
    assert texts == [f"1 (AUC {auc:.3f})", "chance (AUC 0.5)"]


# -- a Ctrl-C just after the model file is written (finding 7) ----------------------------


def test_ctrl_c_right_after_the_rename_says_the_model_was_written(tmp_path, monkeypatch, capsys):
    import os
    import signal

    from log_reg.cli import fit, main
    from log_reg.files.persistence import load, save

    def save_then_interrupt(*args, **kwargs):
        save(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # delivered at once: inside the window

    monkeypatch.setattr(fit, "save", save_then_interrupt)
    frame = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 1.5], "y": [0, 0, 1, 1, 0]})
    frame.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "m.json"
    assert main(["fit", str(tmp_path / "d.csv"), "--target", "y", "--out", str(out)]) == 130
    captured = capsys.readouterr()
    assert captured.err == (
        f"log-reg: stopped by Ctrl-C after {out} was written in full; the report was cut short.\n"
    )
    assert load(out).n_features_in_ == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
