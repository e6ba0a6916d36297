"""Files made to hurt: each is refused with a message saying why (never a 500),
or read as plain data, and nothing is written from a refused file. On both
databases, through the upload page."""

import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from admin_app.imports.readers import MAX_LINE
from admin_app.imports.records import ImportRecord
from admin_app.settings import Settings
from tests.imports.helpers import (
    BASE,
    confirm,
    counts,
    import_settings,
    preview,
    upload,
)
from tests.imports.models import ImpPerson


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return import_settings(
        database_url,
        tmp_path,
        import_max_rows=50,
        import_max_bytes=200 * 1024 * 1024,
    )


def refusal(response: object) -> str:
    status = getattr(response, "status_code", None)
    text = getattr(response, "text", "")
    assert status == 400, text[:500]
    found = re.search(r'class="alert alert-danger" role="alert">([^<]*)<', text)
    assert found, text[:2000]
    return html.unescape(found.group(1))


def nothing_written(engine: Engine) -> None:
    with Session(engine) as session:
        assert session.exec(select(ImpPerson)).all() == []


def test_wrong_encoding_is_named(client: TestClient, engine: Engine) -> None:
    latin = "email,full_name\nann@example.org,Zoë Ångström\n".encode("latin-1")
    message = refusal(upload(client, "people.csv", latin))
    assert "The file is not UTF-8 text" in message
    assert "choose its encoding" in message
    # Told its encoding, the same file reads.
    found = preview_with(client, "people.csv", latin, "latin-1")
    confirm(client, found)
    with Session(engine) as session:
        assert session.exec(select(ImpPerson.full_name)).all() == ["Zoë Ångström"]


def preview_with(client: TestClient, name: str, body: bytes, encoding: str) -> str:
    response = upload(client, name, body, encoding=encoding)
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"].rsplit("/", 1)[1]


def test_a_byte_order_mark_is_not_part_of_the_header(
    client: TestClient, engine: Engine
) -> None:
    body = "\ufeffemail,full_name\nann@example.org,Ann\n".encode()
    found = preview(client, "people.csv", body)
    confirm(client, found)
    with Session(engine) as session:
        assert session.exec(select(ImpPerson.email)).all() == ["ann@example.org"]


def test_a_quoted_newline_stays_in_its_cell(client: TestClient, engine: Engine) -> None:
    found = preview(client, "people.csv", 'email,full_name\na@x.org,"Ann\nSmith"\n')
    page = client.get(f"{BASE}/import/{found}").text
    assert counts(page)["create"] == 1
    confirm(client, found)
    with Session(engine) as session:
        assert session.exec(select(ImpPerson.full_name)).all() == ["Ann\nSmith"]


def test_a_100_mb_line_is_refused_without_reading_it_whole(
    client: TestClient, engine: Engine
) -> None:
    size = 100 * 1024 * 1024

    def body() -> Iterator[bytes]:
        boundary = b"--xyz"
        yield boundary + b'\r\nContent-Disposition: form-data; name="encoding"\r\n\r\n'
        yield b"utf-8\r\n" + boundary + b"\r\n"
        yield b'Content-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        yield b"Content-Type: text/csv\r\n\r\nemail,full_name\r\na@x.org,"
        block = b"A" * (1024 * 1024)
        for _ in range(size // len(block)):
            yield block
        yield b"\r\n" + boundary + b"--\r\n"

    response = client.post(
        f"{BASE}/import",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    message = refusal(response)
    assert message == f"Line 2 is longer than {MAX_LINE} characters."
    nothing_written(engine)


def test_duplicate_headers_are_refused(client: TestClient, engine: Engine) -> None:
    message = refusal(
        upload(client, "people.csv", "email,full_name,Email\na@x.org,Ann,b@x.org\n")
    )
    assert message == "The column “Email” appears twice in the header."


def test_an_injected_id_updates_nothing_it_names(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        victim = ImpPerson(email="victim@example.org", full_name="Victim")
        session.add(victim)
        session.commit()
        victim_id = victim.id
    # Every row new (the default when the file has a key is to match on it:
    # here the person chose "every row is new"): the id is not written.
    response = upload(
        client, "people.csv", f"id,email,full_name\n{victim_id},new@x.org,Mallory\n"
    )
    found = response.headers["location"].split("/import/")[1].split("/")[0]
    posted = client.post(
        f"{BASE}/import/{found}/mapping",
        data={
            "column_0": "id",
            "column_1": "email",
            "column_2": "full_name",
            "match": "",
        },
    )
    assert posted.status_code == 303
    confirm(client, found)
    with Session(engine) as session:
        rows = {p.email: p for p in session.exec(select(ImpPerson))}
    assert rows["victim@example.org"].full_name == "Victim"
    assert rows["new@x.org"].id != victim_id
    # Matched on the key, an id no row has is refused, never created.
    found = preview(client, "people.csv", "id,email,full_name\n999,z@x.org,Zed\n")
    page = client.get(f"{BASE}/import/{found}").text
    assert "No row has this key" in page
    assert counts(page)["refused"] == 1


def test_more_rows_than_allowed(client: TestClient, engine: Engine) -> None:
    rows = "".join(f"p{i}@x.org,P{i}\n" for i in range(51))
    message = refusal(upload(client, "people.csv", "email,full_name\n" + rows))
    assert message == "The file has more than 50 rows: split it."
    nothing_written(engine)


def test_a_file_type_we_do_not_read(client: TestClient) -> None:
    message = refusal(upload(client, "people.exe", b"MZ\x90\x00"))
    assert "Import a .csv, .json, .jsonl or .xlsx file" in message


def test_a_zip_bomb_is_refused_before_it_is_opened(
    client: TestClient, engine: Engine
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        # 200 MB of zeros, a few hundred kilobytes compressed.
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            zeros = b"\0" * (1024 * 1024)
            for _ in range(200):
                member.write(zeros)
    message = refusal(upload(client, "bomb.xlsx", out.getvalue()))
    assert "too many for its file's size" in message
    nothing_written(engine)


def test_a_broken_workbook(client: TestClient) -> None:
    message = refusal(upload(client, "broken.xlsx", b"PK\x03\x04 not really"))
    assert message == "The file is not a readable XLSX workbook."


def test_json_that_is_not_an_array_of_objects(client: TestClient) -> None:
    assert "not a JSON array" in refusal(upload(client, "p.json", '{"email": 1}'))
    message = refusal(upload(client, "p.json", '[["email"], ["a@x.org"]]'))
    assert message == "Item 1 is not an object of fields."
    message = refusal(upload(client, "p.jsonl", '{"email": "a@x.org"}\n{oops\n'))
    assert "Line 2 is not valid JSON." in message or "not valid JSON" in message


def test_nothing_is_kept_of_a_refused_upload(
    client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    refusal(upload(client, "people.csv", "email,email\n"))
    assert list((tmp_path / "imports").iterdir()) == []
    with Session(engine) as session:
        assert session.exec(select(ImportRecord)).all() == []


def test_json_cells(client: TestClient, engine: Engine) -> None:
    body = json.dumps([{"email": "a@x.org", "full_name": "Ann", "age": 30}])
    confirm(client, preview(client, "p.json", body))
    with Session(engine) as session:
        assert session.exec(select(ImpPerson.age)).all() == [30]
