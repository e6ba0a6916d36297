"""Rows named by key, labelled in bulk (admin_app/references.py): one query
per model and chunk, composite keys, keys that name nothing. On SQLite and
PostgreSQL."""

import re

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from admin_app import references
from admin_app.references import Labels, foreign_keys, key_text
from tests.conftest import StatementLog
from tests.sample_models import Club, Member, Membership


def test_foreign_keys_name_the_model_each_column_references() -> None:
    assert foreign_keys(Member) == {"club_id": Club}
    assert foreign_keys(Club) == {}


def test_labels_come_one_query_per_model_and_chunk(
    engine: Engine, statements: StatementLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(references, "CHUNK", 2)
    with Session(engine) as session:
        clubs = [Club(name=f"C{n}") for n in range(5)]
        member = Member(email="ada@example.com")
        session.add_all([*clubs, member])
        session.flush()
        session.add(Membership(club_id=clubs[0].id, member_id=member.id))
        session.commit()
        ids = [club.id for club in clubs]
        link_key = f"{clubs[0].id};{member.id}"

        labels = Labels()
        for club_id in [*ids, ids[0], 999_999]:
            labels.want(Club, club_id)
        labels.want(Club, "not a key")  # names no row: no query for it
        labels.want(Membership, link_key)
        labels.want(Membership, f"{ids[1]};{member.id}")
        statements.clear()
        labels.load(session)

    from_club = [s for s in statements if re.search(r"FROM club\b", s)]
    assert len(from_club) == 3  # six keys, two a query
    assert len([s for s in statements if "FROM membership" in s]) == 1
    assert [str(labels.get(Club, i)) for i in ids] == [f"Club C{n}" for n in range(5)]
    gone = labels.get(Club, 999_999)
    assert gone.gone and str(gone) == "#999999 (deleted)"
    assert str(labels.get(Club, "not a key")) == "#not a key (deleted)"
    assert not labels.get(Membership, link_key).gone
    assert labels.get(Membership, f"{ids[1]};{member.id}").gone


def test_a_link_is_given_only_to_rows_that_exist(engine: Engine) -> None:
    with Session(engine) as session:
        club = Club(name="Chess")
        session.add(club)
        session.commit()
        labels = Labels()
        labels.want(Club, club.id)
        labels.want(Club, 404)
        labels.load(session)
        club_id = club.id

    def link(model: type, key: str) -> str:
        return f"/{model.__name__}/{key}"

    assert labels.get(Club, club_id, link).url == f"/Club/{club_id}"
    assert labels.get(Club, 404, link).url == ""


def test_key_text_spells_keys_as_urls_do() -> None:
    assert key_text(433) == "433"
    assert key_text("a;b") == "a;b"  # an identifier already
