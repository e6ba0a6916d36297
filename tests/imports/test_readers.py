"""Readers stream rows out of a file whatever its shape: CSV (commas or
semicolons), a JSON array read a window at a time, JSON Lines, XLSX."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from admin_app.imports import readers
from admin_app.imports.readers import FileRefused, cell_text, format_of, opened


def rows_of(path: Path, kind: str, **options: object) -> tuple[list[str], list]:
    with opened(path, kind, **options) as found:  # type: ignore[arg-type]
        return found.headers, list(found.rows)


def test_csv_with_semicolons_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text('email;full_name\n\na@x.org;Ann\n;\nb@x.org;"B;o"\n')
    headers, rows = rows_of(path, "csv")
    assert headers == ["email", "full_name"]
    assert rows == [(3, ["a@x.org", "Ann"]), (5, ["b@x.org", "B;o"])]


def test_a_json_array_is_read_across_window_edges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "CHUNK", 7)  # every item cut by the window
    items = [{"n": 12345, "s": "x" * i, "ok": i % 2 == 0, "z": None} for i in range(20)]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(items, indent=1))
    headers, rows = rows_of(path, "json")
    assert headers == ["n", "s", "ok", "z"]
    assert len(rows) == 20
    assert rows[3] == (4, ["12345", "xxx", "false", ""])


def test_an_empty_json_array(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(" [ ] ")
    with pytest.raises(FileRefused, match="no header row"):
        rows_of(path, "json")


def test_an_item_too_big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_LINE", 100)
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"a": "b"}, {"a": "x" * 500}]))
    with pytest.raises(FileRefused, match="Item 2 is longer than 100 characters"):
        rows_of(path, "json")


def test_json_lines_items_must_share_fields(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2, "b": 3}\n')
    with pytest.raises(
        FileRefused, match="Item 3 has a field the first item does not: b"
    ):
        rows_of(path, "jsonl")


def test_an_xlsx_sheet_with_a_formula_read_as_text(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["email", "full_name", "joined", "age"])
    sheet.append(["a@x.org", "=1+1", datetime(2024, 5, 1), 30])
    sheet.append(["b@x.org", "Bo"])
    path = tmp_path / "p.xlsx"
    book.save(path)
    headers, rows = rows_of(path, "xlsx")
    assert headers == ["email", "full_name", "joined", "age"]
    assert rows == [
        (2, ["a@x.org", "=1+1", "2024-05-01T00:00:00", "30"]),
        (3, ["b@x.org", "Bo", "", ""]),
    ]


def test_xlsx_without_openpyxl_is_refused_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "xlsx_available", lambda: False)
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(FileRefused, match="openpyxl package is not installed"):
        rows_of(path, "xlsx")


def test_names_and_cells() -> None:
    assert [
        format_of(n) for n in ("a.CSV", "a.json", "a.ndjson", "a.xlsx", "a.txt")
    ] == [
        "csv",
        "json",
        "jsonl",
        "xlsx",
        None,
    ]
    assert [cell_text(v) for v in (None, True, 2.0, 2.5, {"a": 1})] == [
        "",
        "true",
        "2",
        "2.5",
        '{"a": 1}',
    ]


def test_an_unknown_encoding(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("a\n1\n")
    with pytest.raises(FileRefused, match="Unknown encoding"):
        rows_of(path, "csv", encoding="rot13")
