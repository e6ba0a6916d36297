"""Rows out of an uploaded file, read as a stream: CSV, JSON (an array of
objects), JSON Lines, and XLSX when openpyxl is installed.

Every reader yields ``(number, cells)``: the row's number as a person finds it
in the file (a CSV's or JSON Lines' line, a sheet's row, an array's item) and
its cells as text, in the order of the header. Nothing is evaluated: a cell
starting with ``=`` is text, an XLSX formula is its formula's text. A file no
reader can take is refused with :class:`FileRefused`, whose message says why.
"""

import csv
import importlib.util
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from sqladmin.i18n import gettext

# A line (a CSV record's physical line, a JSON Lines object, a JSON array's
# item) longer than this is refused rather than read into memory.
MAX_LINE = 1024 * 1024
CHUNK = 64 * 1024
# XLSX is a zip: refused when its parts would expand past this many times the
# file's size, or past MAX_EXPANDED bytes (a "zip bomb").
MAX_RATIO = 100
MAX_EXPANDED = 1024 * 1024 * 1024
FORMATS = ("csv", "json", "jsonl", "xlsx")
EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
EXTENSIONS[".xlsx"] = "xlsx"
ENCODINGS = ("utf-8", "utf-16", "cp1252", "latin-1")

Row = tuple[int, list[str]]


class FileRefused(Exception):
    """The file cannot be imported; ``str()`` says why, to the person."""


@dataclass
class Opened:
    """A file's header and an iterator over its rows (read as they come)."""

    headers: list[str]
    rows: Iterator[Row]


def format_of(filename: str) -> str | None:
    """The format a file's name says (``.csv`` …); None: not one we read."""
    suffix = Path(filename).suffix.lower()
    return EXTENSIONS.get(suffix)


def xlsx_available() -> bool:
    """Whether the optional openpyxl (the ``[xlsx]`` extra) is installed."""
    return importlib.util.find_spec("openpyxl") is not None


@contextmanager
def opened(
    path: Path, file_format: str, encoding: str = "utf-8", max_rows: int = 0
) -> Iterator[Opened]:
    """The rows of the file at ``path``; raises :class:`FileRefused`, also while
    its rows are iterated. ``max_rows`` > 0 refuses a file with more rows."""
    if encoding not in ENCODINGS:
        raise FileRefused(gettext("Unknown encoding: %(name)s") % {"name": encoding})
    if not path.exists():
        raise FileRefused(
            gettext(
                "The uploaded file is gone (kept for a while only): upload it again."
            )
        )
    if file_format == "xlsx":
        with _xlsx(path) as found:
            yield _limited(found, max_rows)
        return
    # utf-8-sig: a byte order mark (Excel writes one) is not part of the header.
    text_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    with path.open(encoding=text_encoding, errors="strict", newline="") as stream:
        readers = {"csv": _csv, "json": _json_array, "jsonl": _json_lines}
        reader = readers.get(file_format)
        if reader is None:
            raise FileRefused(gettext("This kind of file cannot be imported."))
        found = _decoding(reader, stream, encoding)
        yield _limited(found, max_rows)


def _decoding(reader: Any, stream: IO[str], encoding: str) -> Opened:
    try:
        found: Opened = reader(stream)
    except UnicodeError:
        raise _not_encoded(encoding, 1) from None

    def rows() -> Iterator[Row]:
        number = 0
        try:
            for number, cells in found.rows:
                yield number, cells
        except UnicodeError:
            raise _not_encoded(encoding, number + 1) from None

    return Opened(found.headers, rows())


def _not_encoded(encoding: str, near: int) -> FileRefused:
    return FileRefused(
        gettext(
            "The file is not %(encoding)s text (near row %(row)s). Save it as "
            "%(encoding)s, or choose its encoding on the upload form."
        )
        % {"encoding": encoding.upper(), "row": near}
    )


def _limited(found: Opened, max_rows: int) -> Opened:
    headers = _checked_headers(found.headers)

    def rows() -> Iterator[Row]:
        count = 0
        for number, cells in found.rows:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line or row
            count += 1
            if max_rows and count > max_rows:
                raise FileRefused(
                    gettext("The file has more than %(count)s rows: split it.")
                    % {"count": max_rows}
                )
            yield number, cells

    return Opened(headers, rows())


def _checked_headers(headers: list[str]) -> list[str]:
    cleaned = [header.strip() for header in headers]
    if not any(cleaned):
        raise FileRefused(gettext("The file has no header row naming its columns."))
    seen: set[str] = set()
    for header in cleaned:
        if header and header.casefold() in seen:
            raise FileRefused(
                gettext("The column “%(name)s” appears twice in the header.")
                % {"name": header}
            )
        seen.add(header.casefold())
    return cleaned


def _bounded_lines(stream: IO[str]) -> Iterator[str]:
    """The stream's lines, refusing one longer than :data:`MAX_LINE`."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE:
            raise FileRefused(
                gettext("Line %(line)s is longer than %(size)s characters.")
                % {"line": number, "size": MAX_LINE}
            )
        yield line


def _csv(stream: IO[str]) -> Opened:
    lines = _bounded_lines(stream)
    first = next(lines, "")
    # A semicolon-separated file (what spreadsheets write in many locales).
    delimiter = ";" if first.count(";") > first.count(",") else ","

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(all_lines(), delimiter=delimiter, strict=True)
    try:
        headers = next(reader, [])
    except csv.Error as exc:
        raise _csv_refused(exc, 1) from None

    def rows() -> Iterator[Row]:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _csv_refused(exc, reader.line_num) from None
            yield reader.line_num, cells

    return Opened(headers, rows())


def _csv_refused(error: csv.Error, line: int) -> FileRefused:
    if "field larger than field limit" in str(error):
        reason = gettext("a cell is larger than %(size)s characters") % {
            "size": csv.field_size_limit()
        }
    else:
        reason = gettext("it is not valid CSV")
    return FileRefused(
        gettext("Line %(line)s cannot be read: %(reason)s.")
        % {"line": line, "reason": reason}
    )


def cell_text(value: Any) -> str:
    """A JSON or spreadsheet value as the text a form input would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _object_rows(
    objects: Iterator[tuple[int, Any]],
) -> Opened:
    first = next(objects, None)
    if first is None:
        return Opened([], iter(()))
    if not isinstance(first[1], dict):
        raise _not_an_object(first[0])
    headers = [str(key) for key in first[1]]
    known = set(headers)

    def rows() -> Iterator[Row]:
        for number, item in _chain(first, objects):
            if not isinstance(item, dict):
                raise _not_an_object(number)
            unknown = [str(key) for key in item if str(key) not in known]
            if unknown:
                raise FileRefused(
                    gettext(
                        "Item %(item)s has a field the first item does not: "
                        "%(name)s. Give every item the same fields."
                    )
                    % {"item": number, "name": unknown[0]}
                )
            yield number, [cell_text(item.get(header)) for header in headers]

    return Opened(headers, rows())


def _chain(first: tuple[int, Any], rest: Iterator[tuple[int, Any]]) -> Iterator[Any]:
    yield first
    yield from rest


def _not_an_object(number: int) -> FileRefused:
    return FileRefused(
        gettext("Item %(item)s is not an object of fields.") % {"item": number}
    )


def _json_lines(stream: IO[str]) -> Opened:
    def objects() -> Iterator[tuple[int, Any]]:
        for number, line in enumerate(_bounded_lines(stream), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError:
                raise FileRefused(
                    gettext("Line %(line)s is not valid JSON.") % {"line": number}
                ) from None

    return _object_rows(objects())


def _json_array(stream: IO[str]) -> Opened:
    return _object_rows(_array_items(stream))


def _array_items(stream: IO[str]) -> Iterator[tuple[int, Any]]:
    """The items of a JSON array, decoded one at a time from a window of the
    stream (an item bigger than :data:`MAX_LINE` is refused)."""
    decoder = json.JSONDecoder()
    buffer, position, number, ended = "", 0, 0, False
    invalid = FileRefused(gettext("The file is not a JSON array of objects."))

    def fill() -> bool:
        nonlocal buffer, position, ended
        chunk = stream.read(CHUNK)
        buffer = buffer[position:] + chunk
        position = 0
        ended = not chunk
        return bool(chunk)

    def next_char() -> str:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position].isspace():
                position += 1
            if position < len(buffer):
                return buffer[position]
            if not fill():
                return ""

    if next_char() != "[":
        raise invalid
    position += 1
    expect_item = True
    while True:
        char = next_char()
        if char == "]" and (number == 0 or not expect_item):
            return
        if not expect_item:
            if char != ",":
                raise invalid
            position += 1
            expect_item = True
            continue
        too_long = FileRefused(
            gettext("Item %(item)s is longer than %(size)s characters.")
            % {"item": number + 1, "size": MAX_LINE}
        )
        try:
            item, end = decoder.raw_decode(buffer, position)
        except json.JSONDecodeError:
            if len(buffer) - position > MAX_LINE:
                raise too_long from None
            if ended or not fill():
                raise invalid from None
            continue
        if end - position > MAX_LINE:
            raise too_long
        if end == len(buffer) and not ended and not isinstance(item, dict | list):
            fill()  # a number cut by the window's end: read it whole
            continue
        number += 1
        position = end
        expect_item = False
        yield number, item


@contextmanager
def _xlsx(path: Path) -> Iterator[Opened]:
    if not xlsx_available():
        raise FileRefused(
            gettext(
                "XLSX files cannot be read here (the optional openpyxl package "
                "is not installed): save the sheet as CSV."
            )
        )
    _check_zip(path)
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    # A file object: openpyxl refuses a path whose name is not ``.xlsx``
    # (uploads wait as ``<id>.upload``).
    stream = path.open("rb")
    try:
        book = load_workbook(stream, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken file
        stream.close()
        raise FileRefused(
            gettext("The file is not a readable XLSX workbook.")
        ) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            yield Opened([], iter(()))
            return
        values = sheet.iter_rows(values_only=True)
        first = next(values, None) or ()
        headers = [cell_text(value) for value in first]
        width = len(headers)

        def rows() -> Iterator[Row]:
            for number, row in enumerate(values, start=2):
                cells = [cell_text(value) for value in row[:width]]
                yield number, cells + [""] * (width - len(cells))

        yield Opened(headers, rows())
    finally:
        book.close()
        stream.close()


def _check_zip(path: Path) -> None:
    """Refuse an XLSX whose parts declare more than :data:`MAX_EXPANDED` bytes
    together, or expand more than :data:`MAX_RATIO` times (before openpyxl
    opens anything)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileRefused(
            gettext("The file is not a readable XLSX workbook.")
        ) from None
    size = max(path.stat().st_size, 1)
    expanded = sum(part.file_size for part in parts)
    if expanded > MAX_EXPANDED or expanded > MAX_RATIO * size:
        raise FileRefused(
            gettext(
                "The workbook would expand to %(size)s bytes, too many for its "
                "file's size: it is refused."
            )
            % {"size": expanded}
        )
