"""The version of log_reg (read by the package build, and written into model files)."""

__version__ = "0.1.0"
