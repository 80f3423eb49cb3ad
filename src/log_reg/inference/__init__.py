"""Inference on a fitted model, above the solvers and below the estimators: pure functions
of a fitted ``LogisticRegression`` and its training data, in statsmodels' split. The model
gives the log-likelihood, its score and its information at the estimate (``covariance``);
one covariance matrix then gives standard errors, z-tests, intervals, Wald and
likelihood-ratio tests and the ``Summary`` table (``summary``), with the normal and
chi-square tails written without SciPy (``distributions``); ``separation`` detects
perfectly separated data, where the unpenalized estimate does not exist. It imports only
``core``: the estimator's ``summary()`` and ``wald_test()`` call it, not the other way round.
"""
