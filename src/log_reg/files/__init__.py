"""Model files, above the estimators: a fitted ``LogisticRegression`` saved as versioned JSON
and loaded back with checks (``persistence``: ``save``, ``load``, the CLI's ``ModelFile``
and the text-column ``Encoding``). A path becomes a JSON object safely, in bounded time
and memory (``json_document``); each value is written exactly and read back strictly
(``model_json``), each parameter against its rule (``params``); an unpenalized fit keeps
its summary (``saved_summary``), a formula model its formula (``formula_entry``); every
file is written whole or not at all (``atomic``). Loading parses text and executes
nothing. It builds the estimator it loads, so it sits above ``models``; the CLI is its
only user above it.
"""
