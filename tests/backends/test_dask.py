"""Dask arrays on a real (local, two-process) cluster: the NumPy fit's answers, pass by pass.

Oracles: the NumPy ``Objective`` on the same rows (values, gradients, Hessians of every
pass) and the NumPy estimator (coefficients and predictions).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_problem

from log_reg import LogisticRegression
from log_reg.core.objective import make_objective
from log_reg.core.penalty import ElasticNet

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
make_dask_objective = pytest.importorskip("log_reg.backends.dask").make_dask_objective


@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each: every pass crosses process boundaries."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture
def no_gathering(monkeypatch):
    """``np.asarray`` of a Dask array (gathering it into this process) fails the test."""

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"a Dask array of shape {self.shape} was gathered to the client")

    monkeypatch.setattr(da.Array, "__array__", refuse)


def on_cluster(a, rows=100):
    """``a`` chunked by rows and moved to the workers (as data loaded there would be)."""
    return da.from_array(a, chunks=(rows, *a.shape[1:])).persist()


def test_every_pass_equals_the_numpy_objective(client):
    X, y = make_problem(n=230, d=3, n_classes=3, seed=21)  # 3 chunks, the last one short
    rng = np.random.default_rng(0)
    s, offset = rng.uniform(0.5, 2.0, len(y)), rng.normal(size=(len(y), 3))
    penalty = ElasticNet(alpha=0.05, l1_ratio=0.3)
    kwargs = {"n_classes": 3, "penalty": penalty, "offset": offset}
    f = make_objective(X, y, sample_weight=s, **kwargs)
    g = make_dask_objective(on_cluster(X), on_cluster(y), sample_weight=on_cluster(s), **kwargs)
    coef, v = rng.normal(size=f.n_coef), rng.normal(size=f.n_coef)
    with distributed.get_task_stream(client) as stream:
        g.loss_gradient(coef)
    assert len({task["worker"] for task in stream.data}) == 2  # the chunks ran on both
    # Sums of 3 partial sums instead of one: equal up to rounding (~1e-16 relative).
    assert g.value(coef) == pytest.approx(f.value(coef), rel=1e-12)
    (fv, fg), (gv, gg) = f.loss_gradient(coef), g.loss_gradient(coef)
    assert gv == pytest.approx(fv, rel=1e-12)
    np.testing.assert_allclose(gg, fg, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(g.hessian(coef), f.hessian(coef), rtol=1e-10, atol=1e-14)
    (g_hvp, g_diag), (f_hvp, f_diag) = g.hessian_product(coef), f.hessian_product(coef)
    np.testing.assert_allclose(g_hvp(v), f_hvp(v), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(g_diag, f_diag, rtol=1e-10, atol=1e-14)
    g_hvp_only, no_diag = g.hessian_product(coef, diagonal=False)
    assert no_diag is None
    np.testing.assert_allclose(g_hvp_only(v), f_hvp(v), rtol=1e-10, atol=1e-14)
    assert g.lipschitz() == pytest.approx(f.lipschitz(), rel=1e-10)
    np.testing.assert_allclose(g.intercept_hessian(coef), f.intercept_hessian(coef), rtol=1e-10)
    rows = np.array([5, 100, 7, 229])
    assert g.subset(rows).value(coef) == pytest.approx(f.subset(rows).value(coef), rel=1e-12)


CASES = [
    pytest.param(n_classes, params, id=f"K{n_classes}-{name}")
    for n_classes in (2, 3)
    for name, params in [("L2", {"C": 0.5}), ("L1", {"C": 0.5, "l1_ratio": 1.0})]
]


@pytest.mark.parametrize("n_classes, params", CASES)
def test_fit_and_predict_equal_numpy(client, no_gathering, n_classes, params):
    X, y = make_problem(n=300, d=4, n_classes=n_classes, seed=22)
    s = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    reference = LogisticRegression(tol=1e-10, **params).fit(X, y, sample_weight=s)
    Xd = on_cluster(X)
    model = LogisticRegression(tol=1e-10, **params).fit(Xd, on_cluster(y), sample_weight=s)
    # Both solved to tol 1e-10 on the same objective: they agree far below 1e-5.
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=1e-5, atol=1e-8)
    assert model.solver_ == reference.solver_ and isinstance(model.coef_, np.ndarray)
    for name in ("decision_function", "predict_proba", "predict_log_proba", "predict"):
        lazy = getattr(model, name)(Xd)
        assert isinstance(lazy, da.Array), name
        expected = getattr(reference, name)(X)
        computed = lazy.compute()
        assert computed.shape == expected.shape, name
        if name == "predict":
            np.testing.assert_array_equal(computed, expected)
        else:
            np.testing.assert_allclose(computed, expected, rtol=1e-5, atol=1e-8)


def test_string_labels_standardize_and_class_weights(client):
    X, y = make_problem(n=240, d=3, n_classes=3, seed=24)
    X = X * [1.0, 10.0, 0.1] + [0.0, 5.0, -2.0]
    labels = np.array(["cat", "cow", "dog"])[y]
    params = {"standardize": True, "class_weight": "balanced", "tol": 1e-10}
    reference = LogisticRegression(**params).fit(X, labels)
    model = LogisticRegression(**params).fit(on_cluster(X), on_cluster(labels))
    np.testing.assert_array_equal(model.classes_, reference.classes_)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-5, atol=1e-8)
    np.testing.assert_array_equal(model.predict(on_cluster(X)).compute(), reference.predict(X))


def test_offsets_are_chunked_like_X(client):
    X, y = make_problem(n=200, d=2, seed=25)
    offset = np.linspace(-1, 1, len(y))
    reference = LogisticRegression(tol=1e-10).fit(X, y, offset=offset)
    model = LogisticRegression(tol=1e-10).fit(on_cluster(X), y, offset=offset)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-5, atol=1e-8)
    proba = model.predict_proba(on_cluster(X), offset=offset).compute()
    np.testing.assert_allclose(proba, reference.predict_proba(X, offset=offset), rtol=1e-6)


def test_data_frames_keep_their_feature_names(client):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, y = make_problem(n=150, d=2, seed=27)
    table = pd.DataFrame(X, columns=["height", "weight"]).assign(label=y)
    frame = dd.from_pandas(table, npartitions=2)
    reference = LogisticRegression().fit(table[["height", "weight"]], table["label"])
    model = LogisticRegression().fit(frame[["height", "weight"]], frame["label"])
    np.testing.assert_array_equal(model.feature_names_in_, ["height", "weight"])
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-5)
    proba = model.predict_proba(frame[["height", "weight"]]).compute()
    np.testing.assert_allclose(proba, reference.predict_proba(table[["height", "weight"]]))


def test_errors_are_clear(client):
    X, y = make_problem(n=120, d=2, seed=26)
    bad = X.copy()
    bad[70, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN.*chunk of rows 0\.\.99"):
        LogisticRegression().fit(on_cluster(bad), y)
    with pytest.raises(ValueError, match="partial_fit over the chunks"):
        LogisticRegression(solver="sgd").fit(on_cluster(X), y)
    with pytest.raises(ValueError, match="liblinear"):
        LogisticRegression(solver="liblinear").fit(on_cluster(X), y)
    with pytest.raises(ValueError, match="at least two classes"):
        LogisticRegression().fit(on_cluster(X), on_cluster(np.zeros(len(y))))
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        LogisticRegression().fit(on_cluster(X), y, sample_weight=-np.ones(len(y)))


def test_hessian_of_a_working_set_on_dask(client):
    X, y = make_problem(n=230, d=4, n_classes=3, seed=22)
    f = make_objective(X, y, n_classes=3, penalty=ElasticNet(alpha=0.05))
    g = make_dask_objective(on_cluster(X), on_cluster(y), n_classes=3, penalty=f.penalty)
    coef = np.random.default_rng(1).normal(size=f.n_coef)
    features = np.array([1, 3])
    np.testing.assert_allclose(
        g.hessian(coef, features), f.hessian(coef, features), rtol=1e-10, atol=1e-14
    )
    kept = np.append(features, 4)  # and the intercept's column
    np.testing.assert_allclose(
        g.weighted_gram(g.weights, features),
        f.weighted_gram(f.weights)[np.ix_(kept, kept)],
        rtol=1e-10,
    )


def test_subsampled_newton_on_dask_takes_the_numpy_steps(client):
    X, y = make_problem(n=2_000, d=3, seed=23)  # 800 sampled rows of 2,000
    reference = LogisticRegression(solver="newton-subsampled", tol=1e-9).fit(X, y)
    model = LogisticRegression(solver="newton-subsampled", tol=1e-9)
    model.fit(on_cluster(X, rows=500), on_cluster(y, rows=500))
    assert model.solver_ == "newton-subsampled"
    # the same rows are drawn (a fixed seed), so the same steps are taken
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-8, atol=1e-10)
