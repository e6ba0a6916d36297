"""Deleting a row with many rows that go with it, and restoring it all from
its history page (:mod:`admin_app.audit.restore`), timed end to end through
the admin (a Starlette test client: no network).

    python -m benchmarks.restore --db sqlite|postgresql [--children 1000] [--runs 5]

A shelf with ``--children`` books (a cascade) and a tenth as many signs (its
delete sets their reference to NULL) is made, deleted by a POST to the delete
route and restored with "the rows deleted with it"; each run starts from a new
shelf. Prints the median and the slowest of each, in milliseconds. The
database is a temporary SQLite file, or a database created for the run on the
PostgreSQL server at 127.0.0.1:5432 and dropped after it.
"""

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlmodel import Session, SQLModel
from starlette.testclient import TestClient

from admin_app.app import create_app
from admin_app.auth.models import Role
from admin_app.auth.users import create_user
from admin_app.db import make_sync_engine
from admin_app.settings import Settings
from benchmarks.restore_models import RestoreBook, RestoreShelf, RestoreSign

SERVER = "postgresql://postgres@127.0.0.1:5432"
PASSWORD = "restore-benchmark-password"


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'restore.db'}"
        return
    name = f"bench_restore_{uuid.uuid4().hex[:8]}"
    server = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{SERVER}/{name}"
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


def shelf(session: Session, run: int, children: int) -> int:
    made = RestoreShelf(name=f"Shelf {run}")
    session.add(made)
    session.flush()
    assert made.id is not None
    books = [{"title": f"Book {i}", "shelf_id": made.id} for i in range(children)]
    session.execute(insert(RestoreBook), books)
    signs = [{"text": f"Sign {i}", "shelf_id": made.id} for i in range(children // 10)]
    if signs:
        session.execute(insert(RestoreSign), signs)
    session.commit()
    return made.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with database(args.db) as url, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=url,
            secret_key_file=Path(tmp) / "secret",
            models=["benchmarks.restore_models"],
        )
        engine = make_sync_engine(settings)
        import admin_app.tables  # noqa: F401

        SQLModel.metadata.create_all(engine)
        with Session(engine) as session:
            create_user(session, "bench", PASSWORD, Role.admin)
        deletes, restores = [], []
        with TestClient(create_app(settings), follow_redirects=False) as client:
            from tests.csrf_helper import enable_csrf

            enable_csrf(client)
            client.post(
                "/admin/login", data={"username": "bench", "password": PASSWORD}
            )
            for run in range(args.runs):
                with Session(engine) as session:
                    pk = shelf(session, run, args.children)
                started = time.perf_counter()
                gone = client.post("/admin/restore-shelf/delete", data={"pks": str(pk)})
                deletes.append(time.perf_counter() - started)
                assert gone.status_code == 303, gone.text
                page = client.get(f"/admin/restore-shelf/history/{pk}").text
                entry = page.split('name="restore" value="')[1].split('"')[0]
                started = time.perf_counter()
                back = client.post(
                    f"/admin/restore-shelf/history/{pk}",
                    data={"restore": entry, "with_it": "1"},
                )
                restores.append(time.perf_counter() - started)
                assert back.status_code == 303, back.text
                with Session(engine) as session:
                    books = session.scalar(
                        select(func.count()).where(RestoreBook.shelf_id == pk)
                    )
                    assert books == args.children, books
        engine.dispose()
    for name, times in (("delete", deletes), ("restore", restores)):
        print(
            f"{args.db} {name} of a row with {args.children} books and "
            f"{args.children // 10} signs: median "
            f"{statistics.median(times) * 1000:.0f} ms, slowest "
            f"{max(times) * 1000:.0f} ms ({args.runs} runs)"
        )


if __name__ == "__main__":
    main()
