"""Date-times stored as their columns keep them: on the databases that keep no
zone (SQLite, MariaDB/MySQL) a zoned column's instant survives all the same."""

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, Table, select
from sqlalchemy.orm import registry

from admin_app.db import make_session_maker

metadata = MetaData()
mapper_registry = registry(metadata=metadata)
moments = Table(
    "moment_row",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
)


class MomentRow:
    id: int
    at: datetime


mapper_registry.map_imperatively(MomentRow, moments)


def test_a_zoned_column_keeps_the_instant_on_every_database(engine: Engine) -> None:
    metadata.create_all(engine)
    paris_noon = datetime(2024, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    session_maker = make_session_maker(engine)
    with session_maker() as session:  # type: ignore[union-attr]
        row = MomentRow()
        row.at = paris_noon
        session.add(row)
        session.commit()
    with engine.connect() as connection:
        stored = connection.execute(select(moments.c.at)).scalar_one()
    # SQLite and MariaDB read back a naive value: the UTC wall time.
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=UTC)
    assert stored == paris_noon and stored.astimezone(UTC).hour == 11
