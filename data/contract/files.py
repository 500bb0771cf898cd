"""Reading an organisation's files: CSV (delimiter and encoding detected or declared),
Parquet and XLSX, in chunks of raw text, so a file of any size is read in bounded memory.

Each chunk is a DataFrame of strings (None for an empty cell) indexed by the row's number
as a spreadsheet shows it (the header is row 1)."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}
DELIMITERS = ",;\t|"
FORMULA_STARTS = ("=", "+", "@", "\t", "\r")  # a minus sign is a negative amount
SAMPLE_BYTES = 1 << 20
CHUNK_ROWS = 100_000
FORMULA = "\x00formula"  # a formula cell, until its row is set aside
# A valid multi-byte UTF-8 sequence: a file that has one and still is not UTF-8 mixes two.
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, said for the person who fixes it."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str


class FileRejected(Exception):
    """The file cannot be read at all (format, encoding, header)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Chunk:
    rows: pd.DataFrame  # raw strings, indexed by spreadsheet row number
    problems: list[Problem]  # cells that cannot be read (an Excel formula)


def file_format(path: Path) -> str | None:
    return FORMATS.get(path.suffix.lower())


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3:  # a character cut at the sample's end
            return "utf-8"
    if UTF8_SEQUENCE.search(sample):
        raise FileRejected(
            "mixes text encodings: some of it is UTF-8 and some is not. "
            "Save it again as UTF-8 (in Excel: CSV UTF-8)."
        )
    found = from_bytes(sample)
    best = found.best()
    if best is None:
        return "cp1252"
    # A few accented names fit many Latin code pages equally (the guess read a Windows
    # file's "José Núñez" as "José Núńez"): of the Windows and ISO Latin ones, the one whose
    # bytes read as the most letters, Windows' Western code page first on a tie.
    latin = max(WINDOWS_LATIN, key=lambda name: _letters(sample, name))
    if LATIN_CODEPAGES.match(best.encoding):
        return latin
    if CJK.match(best.encoding) and _letters(sample, latin) == _wide(sample, latin):
        return latin  # "Ægir Þór" guessed as Big5: every byte reads as a Latin letter
    return best.encoding  # Cyrillic, Greek, and CJK that Latin cannot read: its guess stands


LATIN_CODEPAGES = re.compile(
    r"(cp125[02478]|cp775|cp85[028]|iso8859_([1-4]|9|1[0345]|16)|latin_1|mac_\w+|hp_roman8)$"
)
CJK = re.compile(r"(big5|gb\w*|euc_\w+|shift_jis\w*|cp9[345]\d|iso2022\w*|hz|johab)")
# Where an organisation's Latin-script export comes from: Windows and ISO, not Mac or DOS
# code pages (those read a Windows file's curly quote as a letter: "O’Brien", "OíBrien").
WINDOWS_LATIN = ("cp1252", "cp1250", "cp1257", "iso8859_2", "iso8859_15")


def _wide(sample: bytes, encoding: str) -> int:
    """How many characters of the sample are not ASCII, read in `encoding`."""
    return sum(ord(c) > 127 for c in sample.decode(encoding, errors="replace"))


def _letters(sample: bytes, encoding: str) -> int:
    """How well `encoding` reads the sample: its non-ASCII characters that are letters, less
    the symbols mojibake makes ("£ukasz", "Pawe³"); punctuation and currency (’ “ – € £)
    count neither way. A large negative number if it cannot read the sample."""
    try:
        text = sample.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return -(10**9)
    score = 0
    for char in text:
        if ord(char) > 127:
            kind = unicodedata.category(char)
            score += 1 if kind[0] == "L" else 0 if kind[0] in "PZ" or kind == "Sc" else -1
    return score


def detect_delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def count_rows(path: Path) -> int:
    """About how many data rows the file holds, for a progress bar; 0 when it cannot be read
    (reading it then says why, as a problem of that file)."""
    try:
        return _count_rows(path)
    except Exception:  # noqa: BLE001 - a broken file is the user's, reported when it is read
        return 0


def _count_rows(path: Path) -> int:
    kind = file_format(path)
    if kind == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    if kind == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            return max((book.worksheets[0].max_row or 1) - 1, 0)
        finally:
            book.close()
    lines = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


def read_chunks(
    path: Path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[Chunk]:
    """The file's rows in chunks. Raises FileRejected when it cannot be read; the first
    chunk may be empty (a header-only file) and carries the header as its columns."""
    kind = file_format(path)
    if path.stat().st_size == 0:
        raise FileRejected("is empty: it needs a header row and at least one row of data")
    if kind == "csv":
        yield from _csv_chunks(path, encoding, delimiter, chunk_rows)
    elif kind == "parquet":
        yield from _parquet_chunks(path, chunk_rows)
    elif kind == "xlsx":
        yield from _xlsx_chunks(path, chunk_rows)
    else:
        raise FileRejected(f"is not CSV, Parquet or XLSX (got {path.suffix or 'no suffix'})")


def _numbered(frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
    frame.index = pd.RangeIndex(first_row, first_row + len(frame))
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _csv_chunks(
    path: Path, encoding: str | None, delimiter: str | None, chunk_rows: int
) -> Iterator[Chunk]:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    encoding = encoding or detect_encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    delimiter = delimiter or detect_delimiter("\n".join(text.splitlines()[:20]))
    row = 2
    try:
        reader = pd.read_csv(
            path,
            sep=delimiter,
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            chunksize=chunk_rows,
            skipinitialspace=True,
        )
        with reader:
            for frame in reader:
                frame = frame.astype(object).where(frame.notna(), None)
                yield Chunk(_numbered(frame, row), [])
                row += len(frame)
    except UnicodeDecodeError:
        raise FileRejected(
            f"is not valid {encoding} from about row {row}: it mixes text encodings. "
            "Save it again as UTF-8, or name its encoding."
        ) from None
    except pd.errors.EmptyDataError:
        raise FileRejected("is empty: it needs a header row and at least one row of data") from None
    except pd.errors.ParserError as error:
        raise FileRejected(f"is not a readable CSV file ({error})") from None


def _text_cells(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(
            column.dtype
        ):
            values = column.map(lambda v: v.isoformat() if pd.notna(v) else None)
        else:
            values = column.map(lambda v: None if v is None or v is pd.NA or v != v else str(v))
        out[name] = values.astype(object)
    return out


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise FileRejected(f"is not a readable Parquet file ({error})") from None
    row = 2
    if source.metadata.num_rows == 0:
        yield Chunk(_numbered(pd.DataFrame(columns=source.schema_arrow.names), row), [])
        return
    for batch in source.iter_batches(batch_size=chunk_rows):
        frame = _text_cells(batch.to_pandas())
        yield Chunk(_numbered(frame, row), [])
        row += len(frame)


def _xlsx_chunks(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - any unreadable workbook is the user's file
        raise FileRejected(f"is not a readable XLSX workbook ({type(error).__name__})") from None
    try:
        rows = book.worksheets[0].iter_rows()
        header_cells = next(rows, None)
        if header_cells is None:
            raise FileRejected("is empty: it needs a header row and at least one row of data")
        header = [str(c.value).strip().lower() if c.value is not None else "" for c in header_cells]
        width = len(header)
        values: list[list[str | None]] = []
        numbers: list[int] = []
        problems: list[Problem] = []
        for row, cells in enumerate(rows, start=2):
            line: list[str | None] = []
            for position, cell in enumerate(cells[:width]):
                if cell.data_type == "f":
                    problems.append(
                        Problem(
                            path.name,
                            row,
                            header[position],
                            str(cell.value),
                            "holds a formula; Beacon reads values. Paste the values instead "
                            "(Paste special, then Values)",
                        )
                    )
                    line.append(FORMULA)
                else:
                    line.append(_cell_text(cell.value))
            if all(v is None for v in line):
                continue  # a blank line between rows
            values.append(line + [None] * (width - len(line)))
            numbers.append(row)
            if len(values) >= chunk_rows:
                yield Chunk(_framed(values, header, numbers), problems)
                values, numbers, problems = [], [], []
        if values or not problems:
            yield Chunk(_framed(values, header, numbers), problems)
    finally:
        book.close()


def _framed(values: list[list[str | None]], header: list[str], rows: list[int]) -> pd.DataFrame:
    frame = pd.DataFrame(values, columns=header, index=pd.Index(rows, dtype="int64"))
    return frame.where(frame != FORMULA, None)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


__all__ = ["Chunk", "FileRejected", "Problem", "count_rows", "file_format", "read_chunks"]


def gather(path: Path) -> list[Path]:
    """A file, or the files of a folder (not its subfolders, not hidden files)."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))


REPORT_COLUMNS = ["file", "row", "column", "value", "reason"]


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """The validation report: one line per problem, as the page shows and the CSV holds. A
    value a spreadsheet would run as a formula (`=HYPERLINK(...)`) is kept as text."""
    return pd.DataFrame(
        [(p.file, p.row, p.column, _inert(p.value), p.reason) for p in problems],
        columns=REPORT_COLUMNS,
    ).astype({"row": "Int64"})


def _inert(value: str | None) -> str | None:
    return "'" + value if value and value[0] in FORMULA_STARTS else value
