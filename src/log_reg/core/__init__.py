"""The core math, the lowest layer: what a fit computes, from stable primitives up to the
objective a solver minimizes. From the bottom: array types and which library an array
belongs to (``arrays``), the warnings and errors users see (``errors``) and argument checks
that name what they refuse (``checks``); the stable primitives, the only place that
exponentiates a raw prediction (``numerics``); the log-loss on raw predictions, which never
sees ``X`` (``loss``), the penalties (``penalty``) and the passes over ``X`` a block of rows
at a time (``kernels``); at the top, loss + penalty + ``X`` + weights + intercept, its
derivatives and the Conventions block every other docstring refers to (``objective``). A
module here imports only from the ones below it, and nothing of log_reg outside ``core``:
solvers, back ends and estimators build on it.
"""
