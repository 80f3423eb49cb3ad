"""The rules of saved parameters: one per estimator parameter, each as its docstring says."""

from __future__ import annotations

import math

import pytest

from log_reg import LogisticRegression
from log_reg.files.params import RULES, Rule, decode_params
from log_reg.solvers import SKLEARN_SOLVERS, SOLVERS


def test_every_parameter_of_the_estimator_has_a_rule_and_no_other():
    assert set(RULES) == set(LogisticRegression().get_params())


def test_the_defaults_and_every_solver_pass_their_rules():
    defaults = {k: v for k, v in LogisticRegression().get_params().items() if not callable(v)}
    assert decode_params({name: value for name, value in defaults.items()}) == defaults
    for solver in ["auto", *SOLVERS, *SKLEARN_SOLVERS]:
        assert decode_params({"solver": solver}) == {"solver": solver}


@pytest.mark.parametrize(
    ("name", "value", "decoded"),
    [
        ("C", {"float": "inf"}, math.inf),
        ("C", 1e-300, 1e-300),
        ("C", 3, 3),
        ("l1_ratio", None, None),
        ("l1_ratio", 1, 1),
        ("tol", 0, 0),
        ("class_weight", "balanced", "balanced"),
        (
            "class_weight",
            {"dict": [[0, 1.5], ["b", 0], [True, 2], [1.5, 3]]},
            {0: 1.5, "b": 0, True: 2, 1.5: 3},
        ),
        ("random_state", 2**70, 2**70),
        ("verbose", True, True),
        ("verbose", 2, 2),
        ("n_jobs", -1, -1),
        ("penalty", None, None),
        ("penalty", "none", "none"),
        ("lower_bounds", {"float": "-inf"}, -math.inf),
        ("upper_bounds", 2.5, 2.5),
    ],
)
def test_values_the_estimator_allows_are_kept(name, value, decoded):
    assert decode_params({name: value}) == {name: decoded}


@pytest.mark.parametrize(
    ("value", "ok"),
    [(1, True), (1.0, True), (True, False), ("1", False), (None, False), (math.inf, False)],
)
def test_a_number_rule_takes_numbers_by_type_never_bools(value, ok):
    rule = Rule(number="real", low=0)
    if ok:
        assert rule.check(value, "x") == value
    else:
        with pytest.raises(ValueError, match="x must be a number >= 0"):
            rule.check(value, "x")


def test_choices_match_by_type_and_value():
    rule = Rule(choices=(False, True, None))
    assert rule.check(False, "flag") is False
    for value in (0, 1, 0.0, "true"):
        with pytest.raises(ValueError, match="flag must be false or true or null"):
            rule.check(value, "flag")


def test_an_integer_beyond_a_double_is_out_of_a_real_range():
    with pytest.raises(ValueError, match="parameter C must be a number > 0"):
        decode_params({"C": 10**400})


def test_unknown_names_are_listed_briefly():
    with pytest.raises(
        ValueError, match=r'unknown names \["a0", "a1", "a10", \.\.\. \(1000 values\)\]'
    ):
        decode_params({f"a{i}": 1 for i in range(1000)})
