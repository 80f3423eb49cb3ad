"""The estimators and what they share, the layer users meet: ``LogisticRegression``
(``estimator``, with its predictions in ``prediction``, scikit-learn's protocols in
``sklearn_compat`` and ``partial_fit``'s stream in ``streaming``), the regularization path
(``path``) and ``LogisticRegressionCV`` (``cv``, its parameters in ``cv_params``, its search
in ``cv_search``, its folds in ``folds``, its scorers in ``scoring``). Every fit goes through
one pipeline from validated user data to a solver's problem and back (``pipeline``):
weights, scaling, the objectives, the solver picked from the registry, coefficients on the
user's scale and one warning for a fit that stopped short. Above ``inference``, ``solvers``,
``backends`` and ``core``, which know nothing of the estimators; below ``files`` and the CLI.
"""
