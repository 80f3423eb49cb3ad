"""The summary a model file keeps: an unpenalized fit's standard errors, without its data.

Inference needs the training data (``log_reg.inference.summary``), and a model file does
not hold it. So ``save`` stores the nonrobust ``Summary`` of a model that can still compute
it: unpenalized (``C=inf``), binary or multinomial, holding its training data (a fresh fit,
not a loaded or unpickled model), with at most ``MAX_PARAMS`` coefficients (the covariance
has their square) and every number finite; otherwise the entry is null. It is computed as
``model.summary()`` computes it, on the data in memory (a Dask fit's data are brought in).
``load`` gives it back beside the model (``read_model_file(path).summary``) and
``log-reg summary`` prints it. Other covariance types need the data again:
``model.summary("HC1", X=X, y=y)``.

The entry, ``p`` coefficients per equation (intercept first, when fitted), ``J`` equations
(one for two classes, else ``n_classes - 1``), ``k = J p``::

    cov_type, alpha                     "nonrobust"; the intervals' level, in (0, 1]
    coef, std_err, z, p_value,          arrays {"dtype": "float64", "shape", "values"} of
    ci_low, ci_high                     shape (p,) for two classes, else (J, p)
    cov                                 array (k, k): the covariance of coef, flattened
    log_likelihood, null_log_likelihood, aic, bic, n_obs, df_resid    numbers
    pseudo_r2, llr_p_value              numbers, or null where undefined (NaN in Summary)
    df_model                            k - J
    separation                          null, or {"kind": "complete" | "quasi-complete",
                                        "features": [distinct feature indices]}

Ranges: standard errors and ``n_obs`` >= 0 (``n_obs`` > 0), p-values in [0, 1],
log-likelihoods <= 0, ``ci_low <= ci_high``. The labels are the model's: columns
"(Intercept)" then its feature names (``x<j>`` without), rows its classes after the first,
each against the first (``Summary``'s reference class).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from log_reg.files.model_json import (
    check_entries,
    decode_array,
    describe,
    encode_array,
    expect,
    expect_number,
)
from log_reg.inference.separation import Separation
from log_reg.inference.summary import Summary
from log_reg.models.estimator import LogisticRegression

__all__ = ["MAX_PARAMS", "decode_summary", "encode_summary", "summary_entry"]

#: The most coefficients whose summary a model file keeps: its covariance has k^2 numbers.
MAX_PARAMS = 100

#: The coefficient table's columns, each with its range (low, high).
_TABLE = {
    "coef": (-math.inf, math.inf),
    "std_err": (0.0, math.inf),
    "z": (-math.inf, math.inf),
    "p_value": (0.0, 1.0),
    "ci_low": (-math.inf, math.inf),
    "ci_high": (-math.inf, math.inf),
}
#: The fit statistics: (low, high, may be null).
_STATISTICS = {
    "log_likelihood": (-math.inf, 0.0, False),
    "null_log_likelihood": (-math.inf, 0.0, False),
    "pseudo_r2": (-math.inf, 1.0, True),
    "llr_p_value": (0.0, 1.0, True),
    "aic": (-math.inf, math.inf, False),
    "bic": (-math.inf, math.inf, False),
    "n_obs": (0.0, math.inf, False),
    "df_resid": (-math.inf, math.inf, False),
}
_ENTRIES = ("cov_type", "alpha", *_TABLE, "cov", *_STATISTICS, "df_model", "separation")


def _shape(model: LogisticRegression) -> tuple[int, int]:
    """``(J, p)``: equations and coefficients per equation of the model's summary."""
    return max(1, len(model.classes_) - 1), model.n_features_in_ + bool(model.fit_intercept)


# -- writing -------------------------------------------------------------------------
def summary_entry(model: LogisticRegression) -> dict[str, Any] | None:
    """The entry ``save`` writes for ``model``: its nonrobust summary, or None (see above)."""
    J, p = _shape(model)
    if J * p > MAX_PARAMS:
        return None
    try:
        with np.errstate(all="ignore"):  # a fit too extreme for inference: no entry
            return encode_summary(model.summary())
    except ValueError:  # penalized, one-vs-rest, no training data, singular, not finite
        return None


def encode_summary(summary: Summary) -> dict[str, Any]:
    """A ``Summary`` as the entry; ``ValueError`` if a number that must be finite is not."""
    if summary.cov_type != "nonrobust":
        raise ValueError(f"a model file keeps nonrobust summaries; got {summary.cov_type!r}.")
    statistics = {}
    for name, (_, _, nullable) in _STATISTICS.items():
        value = float(getattr(summary, name))
        if not math.isfinite(value) and not (nullable and math.isnan(value)):
            raise ValueError(f"the summary's {name} is {value}.")
        statistics[name] = value if math.isfinite(value) else None
    separation = summary.separation
    return {
        "cov_type": summary.cov_type,
        "alpha": float(summary.alpha),
        **{name: encode_array(getattr(summary, name), name) for name in (*_TABLE, "cov")},
        **statistics,
        "df_model": int(summary.df_model),
        "separation": None
        if separation is None
        else {"kind": separation.kind, "features": [int(j) for j in separation.features]},
    }


# -- reading -------------------------------------------------------------------------
def decode_summary(obj: Any, model: LogisticRegression) -> Summary | None:
    """The ``Summary`` the entry holds, labelled by the (restored) ``model``; checked first."""
    if obj is None:
        return None
    check_entries(obj, _ENTRIES, "summary")
    if obj["cov_type"] != "nonrobust":
        raise ValueError(f'summary cov_type must be "nonrobust"; got {describe(obj["cov_type"])}.')
    J, p = _shape(model)
    shape = (p,) if J == 1 else (J, p)
    table: dict[str, Any] = {
        name: decode_array(obj[name], f"summary {name}", ("float64",), shape=shape, low=lo, high=hi)
        for name, (lo, hi) in _TABLE.items()
    }
    if (table["ci_low"] > table["ci_high"]).any():
        raise ValueError("summary ci_low must be <= ci_high.")
    cov = decode_array(obj["cov"], "summary cov", ("float64",), shape=(J * p, J * p))
    statistics: dict[str, Any] = {
        name: math.nan
        if nullable and obj[name] is None
        else float(expect_number(obj[name], f"summary {name}", low=low, high=high))
        for name, (low, high, nullable) in _STATISTICS.items()
    }
    if statistics["n_obs"] == 0:  # the weights' sum: a fit needs it positive
        raise ValueError("summary n_obs must be > 0; got 0.")
    if expect(obj["df_model"], (int,), "summary df_model") != J * p - J:
        raise ValueError(f"summary df_model must be {J * p - J}; got {obj['df_model']}.")
    names = getattr(model, "feature_names_in_", None)
    names = [f"x{j}" for j in range(model.n_features_in_)] if names is None else list(names)
    classes = model.classes_.tolist()
    return Summary(
        **table,
        cov=cov,
        names=tuple(["(Intercept)"] * bool(model.fit_intercept) + names),
        classes=tuple(classes[1:]),
        reference_class=model.classes_[0],
        **statistics,
        df_model=J * p - J,
        cov_type="nonrobust",
        alpha=float(
            expect_number(obj["alpha"], "summary alpha", low=0, low_inclusive=False, high=1)
        ),
        converged=bool(model.converged_),
        separation=_decode_separation(obj["separation"], model.n_features_in_),
    )


def _decode_separation(obj: Any, n_features: int) -> Separation | None:
    if obj is None:
        return None
    check_entries(obj, ("kind", "features"), "summary separation")
    kind, features = obj["kind"], expect(obj["features"], (list,), "summary separation features")
    if kind not in ("complete", "quasi-complete"):
        raise ValueError(
            f'summary separation kind must be "complete" or "quasi-complete"; got {describe(kind)}.'
        )
    valid = all(type(j) is int and 0 <= j < n_features for j in features)
    if not valid or len(set(features)) != len(features):
        raise ValueError(
            f"summary separation features must be distinct indices in [0, {n_features}); "
            f"got {describe(features)}."
        )
    return Separation(kind, tuple(features))
