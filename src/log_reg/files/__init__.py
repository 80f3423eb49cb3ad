"""Model files, above the estimators: a fitted ``LogisticRegression`` saved as versioned JSON
and loaded back with checks (``persistence``: ``save``, ``load``, the CLI's ``ModelFile``
and the text-column ``Encoding``), each value written exactly and read back strictly
(``model_json``), and every file written whole or not at all (``atomic``). Loading parses
text and executes nothing. It builds the estimator it loads, so it sits above ``models``;
the CLI is its only user above it.
"""
