"""scikit-learn's own estimator checks, every one of them, on LogisticRegression."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from log_reg import LogisticRegression

#: Checks expected to fail, each with the reason a scikit-learn maintainer would accept.
EXPECTED_FAILURES: dict[str, str] = {}


@parametrize_with_checks(
    [
        LogisticRegression(),
        LogisticRegression(l1_ratio=1.0, C=0.5),
        LogisticRegression(multi_class="ovr"),
    ],
    expected_failed_checks=lambda estimator: EXPECTED_FAILURES,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
