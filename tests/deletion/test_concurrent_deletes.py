"""Two deletes of the same row at once (two workers, two clicks): one deletes
it and is audited, the other is refused and leaves nothing behind, on every
database. Found by the soak (``benchmarks/soak.py``): both used to answer
"deleted", with two delete entries for one row."""

from functools import partial

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from admin_app.audit.entries import Actor, AuditEntry, record_deletion
from admin_app.deletion.planner import Planner
from admin_app.deletion.plans import Plan, parse_pks
from admin_app.deletion.routes import Refused, _carry_out
from tests.sample_models import Tag


def test_of_two_deletes_planned_together_one_deletes_the_other_is_refused(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        tag = Tag(label="twice")
        session.add(tag)
        session.commit()
        pk = str(tag.id)
    planner = Planner(Tag, {})
    keys = parse_pks(Tag, [pk])
    audit = partial(record_deletion, actor=Actor(), identities={})

    def first_deletes_meanwhile(session: Session, plan: Plan) -> None:
        # The second delete has planned (the row was there); the first one
        # runs from start to commit before the second goes on.
        with Session(engine) as other:
            _carry_out(planner, keys, audit, other)
        audit(session, plan)

    with Session(engine) as session, pytest.raises(Refused) as refused:
        _carry_out(planner, keys, first_deletes_meanwhile, session)

    assert "no longer exists" in str(refused.value)
    with Session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "delete")
        ).all()
        assert [entry.pk for entry in entries] == [pk]
        assert session.get(Tag, int(pk)) is None
