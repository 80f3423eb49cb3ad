"""Tables in, CSV and notes out: the command's files, and its optional libraries on demand.

The command needs pandas to read tables (and pyarrow for Parquet, matplotlib for plots,
rich for its report); ``import log_reg`` and ``log-reg demo`` need NumPy alone, so these
are imported only when a subcommand needs them, and a missing one is a one-line message
naming the extra.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from log_reg.files.atomic import write_atomically

__all__ = [
    "MissingDependencyError",
    "Table",
    "note",
    "read_table",
    "require",
    "warnings_as_notes",
    "write_csv",
]

INSTALL = "pip install 'log_reg[cli]'"

#: File name endings -> table format. A compressed CSV (.csv.gz, ...) is read as CSV.
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
COMPRESSIONS = (".gz", ".bz2", ".xz", ".zip", ".zst")


class MissingDependencyError(Exception):
    """An optional library that the command needs is not installed."""


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module``, or raise ``MissingDependencyError`` saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(
            f"{purpose} needs {module}, which is not installed; install it with: {INSTALL}"
        ) from None


@dataclass(frozen=True, eq=False)
class Table:
    """A data frame and the name to use for it in messages.

    Rows keep the numbers they had in the file (the frame's index counts from 0), so a
    message can say "row 17" about the 17th row after the header, even after rows were
    dropped.
    """

    frame: Any  # pandas.DataFrame
    name: str

    def row(self, label: Any) -> int:
        """The 1-based row number of the index ``label``."""
        return int(label) + 1


def table_format(source: str) -> str:
    """The table format, "csv" or "parquet", from the file name ("-", stdin, is CSV)."""
    suffixes = [s.lower() for s in Path(source).suffixes]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        suffixes.pop()
    kind = "csv" if source == "-" else FORMATS.get(suffixes[-1] if suffixes else "")
    if kind is None:
        endings = ", ".join(FORMATS)
        raise ValueError(f"cannot tell the format of {source!r} from its name: use {endings}.")
    return kind


def read_table(source: str) -> Table:
    """Read a CSV or Parquet file (``-``: CSV from standard input) into a ``Table``.

    Column names must be distinct: pandas would rename a second ``a`` to ``a.1`` without a
    word, so the header is read as it is written and a repeated name is an error.
    """
    kind = table_format(source)
    name = "<stdin>" if source == "-" else source
    pd = require("pandas", "reading tables")
    if kind == "parquet":
        require("pyarrow", "reading Parquet files")
    if source != "-" and not Path(source).is_file():
        missing = "is a folder, not a file" if Path(source).is_dir() else "does not exist"
        raise ValueError(f"data file {name} {missing}.")
    try:
        with warnings.catch_warnings():  # a row longer than the header: an error, not a warning
            warnings.simplefilter("error", pd.errors.ParserWarning)
            if kind == "csv":
                stream = io.StringIO(sys.stdin.read()) if source == "-" else source
                frame = pd.read_csv(stream, index_col=False, low_memory=False)
                if isinstance(stream, io.StringIO):
                    stream.seek(0)  # standard input, read once, parsed twice
                header = pd.read_csv(stream, header=None, nrows=1, dtype=str, keep_default_na=False)
                names = [str(c) for c in header.iloc[0].tolist()]
            else:
                frame = pd.read_parquet(source).reset_index(drop=True)
                names = [str(c) for c in frame.columns]
    except pd.errors.EmptyDataError:
        raise ValueError(f"data file {name} is empty.") from None
    except UnicodeDecodeError:
        raise ValueError(f"data file {name} is not UTF-8 text.") from None
    except (ValueError, OSError, pd.errors.ParserWarning) as error:  # ParserError, ArrowInvalid
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(f"cannot read {name} as {kind.upper()}: {reason}") from None
    if len(frame) == 0:
        raise ValueError(f"data file {name} has no rows.")
    _distinct(names, name)
    frame.columns = [str(c) for c in frame.columns]
    return Table(frame, name)


def _distinct(names: Sequence[str], table: str) -> None:
    """Every column name once, or a ``ValueError`` naming those repeated and where.

    Empty names are left to pandas, which calls them "Unnamed: 0", "Unnamed: 1", ...
    """
    positions: dict[str, list[int]] = {}
    for number, column in enumerate(names, start=1):
        if column:
            positions.setdefault(column, []).append(number)
    repeated = {c: p for c, p in positions.items() if len(p) > 1}
    if repeated:
        where = "; ".join(
            f"{c!r} in columns {', '.join(map(str, p))}" for c, p in list(repeated.items())[:5]
        )
        raise ValueError(
            f"data file {table} has columns with the same name ({where}); give each column "
            "a name of its own."
        )


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], out: str | None) -> None:
    """CSV to ``out`` (written atomically) or to standard output when ``out`` is None or ``-``.

    Floats are written with ``repr`` (Python's ``str``), which reads back to the same double.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if out is None or out == "-":
        sys.stdout.write(buffer.getvalue())
    else:
        write_atomically(out, buffer.getvalue().encode())


def note(message: str) -> None:
    """A one-line remark on standard error (not on standard output, which may be data)."""
    print(f"log-reg: {message}", file=sys.stderr)


#: NumPy's floating-point warnings ("overflow encountered in exp", "invalid value
#: encountered in multiply", ...): one line for all of them, not one per operation.
NUMPY_ARITHMETIC = re.compile(r"(overflow|invalid value|divide by zero) encountered in ")


@contextmanager
def warnings_as_notes(cause: Callable[[], str | None] = lambda: None) -> Iterator[None]:
    """Print each distinct warning raised inside as a one-line note (not Python's two lines).

    NumPy's floating-point warnings are gathered into a single note, which ends with
    ``cause()`` when that says why (for example the column whose values overflow).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            messages = dict.fromkeys(" ".join(str(w.message).split()) for w in caught)
            arithmetic = [m for m in messages if NUMPY_ARITHMETIC.match(m)]
            if arithmetic:
                reason = cause()
                note(
                    f"warning: numbers left float64's range inside the computation "
                    f"(NumPy: {'; '.join(arithmetic)})" + (f"; {reason}" if reason else ".")
                )
            for message in messages:
                if message not in arithmetic:
                    note(f"warning: {message}")
