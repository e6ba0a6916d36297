"""Upload → preview → confirm → undo, on SQLite and PostgreSQL: rows validated
as their forms are, checked as a whole file against the table, written in one
transaction with an audit entry each, and undone as one action."""

import csv
import io
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from admin_app.audit.entries import AuditEntry
from admin_app.imports.files import remove
from admin_app.imports.records import ImportRecord
from tests.imports.helpers import (
    BASE,
    confirm,
    counts,
    import_id,
    preview,
    remap,
    settings,  # noqa: F401  (the fixture)
    upload,
)
from tests.imports.models import ImpPerson, ImpTeam

GOOD_AND_BAD = (
    "email,full_name,age,team_id\n"
    "ann@example.org,Ann,30,Red\n"  # the team by its name
    "bob@example.org,Bob,-1,1\n"  # the model's rule: age ≥ 0
    "cy@example.org,Cy,,Blue\n"  # no such team
    "ann@example.org,Ann again,31,\n"  # twice in the file
    "dee@example.org,,40,\n"  # a required field left empty
)


def add_team(engine: Engine, name: str = "Red") -> int:
    with Session(engine) as session:
        team = ImpTeam(name=name)
        session.add(team)
        session.commit()
        assert team.id is not None
        return team.id


def people(engine: Engine) -> list[ImpPerson]:
    with Session(engine) as session:
        return list(session.exec(select(ImpPerson).order_by(col(ImpPerson.email))))


def test_a_clean_file_is_previewed_then_imported_with_its_audit(
    client: TestClient, engine: Engine
) -> None:
    team = add_team(engine)
    found = preview(
        client,
        "people.csv",
        "email,full_name,age,joined,team_id\n"
        "ann@example.org,Ann Smith,30,2024-05-01,Red\n"
        'bob@example.org,"Bob, Jr.",,,\n',
    )
    page = client.get(f"{BASE}/import/{found}").text
    assert counts(page) == {"create": 2, "update": 0, "unchanged": 0, "refused": 0}
    assert people(engine) == []  # a preview writes nothing
    assert "Import 2 rows" in page

    response = confirm(client, found)
    assert response.status_code == 303
    result = client.get(response.headers["location"]).text
    assert 'data-admin-app="import-result"' in result
    ann, bob = people(engine)
    # A SQLModel str column (sqladmin's importer refused it) and a date.
    assert (ann.full_name, ann.age, str(ann.joined), ann.team_id) == (
        "Ann Smith",
        30,
        "2024-05-01",
        team,
    )
    assert (bob.full_name, bob.age, bob.team_id) == ("Bob, Jr.", None, None)
    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "import")
        ).all()
        record = session.get(ImportRecord, found)
    assert sorted(e.pk for e in entries) == sorted([str(ann.id), str(bob.id)])
    assert {e.import_id for e in entries} == {found}
    assert {e.username for e in entries} == {"boss"}
    assert record is not None and record.state == "done"
    assert record.counts["create"] == 2


def test_refused_rows_are_listed_with_their_errors_and_block_the_import(
    client: TestClient, engine: Engine
) -> None:
    add_team(engine)
    found = preview(client, "people.csv", GOOD_AND_BAD)
    page = client.get(f"{BASE}/import/{found}").text
    assert counts(page) == {"create": 1, "update": 0, "unchanged": 0, "refused": 4}
    assert "Age: Input should be greater than or equal to 0" in page
    assert "Team: No imp team is “Blue”." in page
    assert "E-mail: Another row of the file has this value." in page
    assert "Full name: This field is required." in page
    # All-or-nothing: the page offers only the valid rows, and a confirm of
    # the whole file (a replayed form) writes nothing.
    assert "Import only the 1 valid rows" in page
    assert confirm(client, found).status_code == 303
    assert people(engine) == []

    refused = client.get(f"{BASE}/import/{found}/refused.csv")
    assert refused.status_code == 200
    rows = list(csv.DictReader(io.StringIO(refused.text)))
    assert [row["email"] for row in rows] == [
        "bob@example.org",
        "cy@example.org",
        "ann@example.org",
        "dee@example.org",
    ]
    assert rows[0]["error"].startswith("Age: ")


def test_only_the_valid_rows_when_asked(client: TestClient, engine: Engine) -> None:
    add_team(engine)
    found = preview(client, "people.csv", GOOD_AND_BAD)
    assert confirm(client, found, valid_only=True).status_code == 303
    assert [p.email for p in people(engine)] == ["ann@example.org"]


def test_a_second_confirm_does_nothing(client: TestClient, engine: Engine) -> None:
    found = preview(client, "people.csv", "email,full_name\nann@example.org,Ann\n")
    assert confirm(client, found).status_code == 303
    assert confirm(client, found).status_code == 303
    assert len(people(engine)) == 1
    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(col(AuditEntry.import_id) == found)
        ).all()
    assert len(entries) == 1


def test_uniqueness_against_the_table(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session:
        session.add(ImpPerson(email="ann@example.org", full_name="Ann"))
        session.commit()
    found = preview(
        client,
        "people.csv",
        "full_name,email\nAnn,ann@example.org\nBo,bo@example.org\n",
    )
    # Every row new (not matched on the e-mail): one is a duplicate.
    assert remap(client, found, ["full_name", "email"]).status_code == 303
    page = client.get(f"{BASE}/import/{found}").text
    assert counts(page)["refused"] == 1
    assert "E-mail: A imp person with this value already exists." in page


def test_rows_matched_on_a_unique_column_are_updated_then_undone(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        session.add(ImpPerson(email="ann@example.org", full_name="Ann", age=30))
        session.add(ImpPerson(email="bob@example.org", full_name="Bob", age=40))
        session.commit()
    response = upload(
        client,
        "people.csv",
        "email,full_name,age\n"
        "ann@example.org,Ann Smith,31\n"  # changed
        "bob@example.org,Bob,40\n"  # as it is
        "cy@example.org,Cy,22\n",  # new
    )
    found = import_id(response)
    # The e-mail names a row: matched on it by default.
    page = client.get(f"{BASE}/import/{found}").text
    assert counts(page) == {"create": 1, "update": 1, "unchanged": 1, "refused": 0}
    assert confirm(client, found).status_code == 303
    ann, bob, cy = people(engine)
    assert (ann.full_name, ann.age, bob.age, cy.full_name) == (
        "Ann Smith",
        31,
        40,
        "Cy",
    )
    with Session(engine) as session:
        update = session.exec(
            select(AuditEntry).where(
                col(AuditEntry.import_id) == found, col(AuditEntry.pk) == str(ann.id)
            )
        ).one()
    assert update.changes == {
        "full_name": {"before": "Ann", "after": "Ann Smith"},
        "age": {"before": 30, "after": 31},
    }

    undone = client.post(f"{BASE}/import/{found}/undo")
    assert undone.status_code == 303
    after = people(engine)
    assert [(p.email, p.full_name, p.age) for p in after] == [
        ("ann@example.org", "Ann", 30),
        ("bob@example.org", "Bob", 40),
    ]
    with Session(engine) as session:
        record = session.get(ImportRecord, found)
        undo_entries = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "import_undo")
        ).all()
    assert record is not None and record.state == "undone"
    assert len(undo_entries) == 2
    # Undone once: a second undo changes nothing.
    assert client.post(f"{BASE}/import/{found}/undo").status_code == 303
    assert len(people(engine)) == 2


def test_undo_is_refused_when_a_row_changed_since(
    client: TestClient, engine: Engine
) -> None:
    found = preview(client, "people.csv", "email,full_name\nann@example.org,Ann\n")
    confirm(client, found)
    (ann,) = people(engine)
    # An edit since, as the edit page records it.
    with Session(engine) as session:
        row = session.get(ImpPerson, ann.id)
        assert row is not None
        row.full_name = "Ann Edited"
        session.add(AuditEntry(action="update", model="imp-person", pk=str(ann.id)))
        session.commit()
    refused = client.post(f"{BASE}/import/{found}/undo")
    assert refused.status_code == 409
    assert "Rows this import wrote were changed since" in refused.text
    assert f">{ann.id}</a>" in refused.text
    assert [p.full_name for p in people(engine)] == ["Ann Edited"]


def test_passwords_only_through_the_models_hasher(
    client: TestClient, engine: Engine
) -> None:
    found = preview(
        client, "people.csv", "email,full_name,pin_hash\nann@example.org,Ann,1234\n"
    )
    confirm(client, found)
    (ann,) = people(engine)
    assert ann.pin_hash == "hashed:4321"
    with Session(engine) as session:
        entry = session.exec(
            select(AuditEntry).where(col(AuditEntry.import_id) == found)
        ).one()
    assert entry.changes is not None
    assert entry.changes["pin_hash"]["after"] == "(hidden)"


def test_formula_looking_cells_are_data(client: TestClient, engine: Engine) -> None:
    found = preview(
        client, "people.csv", 'email,full_name\nann@example.org,"=HYPERLINK(""x"")"\n'
    )
    confirm(client, found)
    assert [p.full_name for p in people(engine)] == ['=HYPERLINK("x")']


def test_a_table_changed_since_the_preview_imports_nothing(
    client: TestClient, engine: Engine
) -> None:
    found = preview(client, "people.csv", "email,full_name\nann@example.org,Ann\n")
    # Someone adds the same e-mail meanwhile: the row would now update it.
    with Session(engine) as session:
        session.add(ImpPerson(email="ann@example.org", full_name="Other Ann"))
        session.commit()
    response = confirm(client, found)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "The table changed since the preview" in page
    assert [p.full_name for p in people(engine)] == ["Other Ann"]
    with Session(engine) as session:
        record = session.get(ImportRecord, found)
    assert record is not None and record.state == "previewed"


def test_an_expired_upload_says_so(
    client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    found = preview(client, "people.csv", "email,full_name\nann@example.org,Ann\n")
    remove(tmp_path / "imports", found)
    page = client.get(confirm(client, found).headers["location"]).text
    assert "The uploaded file is gone" in page
    assert people(engine) == []


def test_json_lines_and_xlsx_files(client: TestClient, engine: Engine) -> None:
    from openpyxl import Workbook

    lines = '{"email": "ann@example.org", "full_name": "Ann", "age": 30}\n'
    confirm(client, preview(client, "people.jsonl", lines))
    book = Workbook()
    sheet = book.active
    sheet.append(["email", "full_name", "joined"])
    sheet.append(["bob@example.org", "Bob", "2024-05-01"])
    out = io.BytesIO()
    book.save(out)
    confirm(client, preview(client, "people.xlsx", out.getvalue()))
    ann, bob = people(engine)
    assert (ann.age, bob.full_name, str(bob.joined)) == (30, "Bob", "2024-05-01")
