"""``python -m log_reg``: the same as the ``log-reg`` command (the demo by default)."""

from log_reg.cli import main

raise SystemExit(main())
