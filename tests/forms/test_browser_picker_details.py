"""In a real browser: two people with the same name are told apart in a
picker by a second line (their e-mail), and the one picked is saved."""

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from admin_app.settings import Settings
from models.tables import Order, User
from tests.conftest import make_settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, models=["models"])


def test_a_picker_shows_a_second_line_where_names_collide(  # type: ignore[no-untyped-def]
    page, engine: Engine
) -> None:
    with Session(engine) as session:
        users = [
            User(email=email, full_name=name, hashed_password="x")
            for email, name in (
                ("olivia.b@example.com", "Olivia Bianchi"),
                ("obianchi@example.org", "Olivia Bianchi"),
                ("oliver@example.com", "Oliver Stone"),
            )
        ]
        session.add_all(users)
        session.flush()
        order = Order(reference="PO-7", requester_id=users[2].id)
        session.add(order)
        session.commit()
        order_id, second_olivia = order.id, users[1].id

    page.goto(f"/admin/order/edit/{order_id}")
    page.click("#requester + .select2 .select2-selection")
    page.locator(".select2-container--open .select2-search__field").fill("Oli")
    results = page.locator(".select2-results__option")
    results.filter(has_text="Oliver Stone").wait_for()
    details = page.locator(".select2-results__option [data-role=picker-detail]")
    assert details.all_inner_texts() == [
        "olivia.b@example.com",
        "obianchi@example.org",
    ]
    # The unique name has no second line.
    assert results.filter(has_text="Oliver Stone").locator("small").count() == 0

    results.filter(has_text="obianchi@example.org").click()
    chosen = page.locator("#requester + .select2 .select2-selection__rendered")
    assert chosen.inner_text().strip().endswith("Olivia Bianchi (obianchi@example.org)")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url("**/admin/order/list**")
    with Session(engine) as session:
        saved = session.get(Order, order_id)
        assert saved is not None and saved.requester_id == second_olivia
