"""A soft-deleting view's list (``admin_app.lists.trash``): its rows, count and
export leave the trash out; ``?trash=1`` shows only the trash, a link away; a
value no page makes, or the parameter on a view without a trash, is a 400.
On SQLite and PostgreSQL."""

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.shapes.soft_delete as shape
from tests.shape_server import Served, serving


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    with serving(shape, database_url, tmp_path) as served:
        yield served


def listed(page: str) -> list[str]:
    """The keys of the rows a list page shows."""
    keys = re.findall(r'<input type="hidden" value="([^"]*)">', page)
    return [html.unescape(key) for key in keys]


def test_lists_hide_the_trash_and_show_it_on_request(served: Served) -> None:
    client = served.client

    shown = client.get("/admin/soft-document/list")
    trash = client.get("/admin/soft-document/list", params={"trash": "1"})
    export = client.get("/admin/soft-document/export/csv")

    assert sorted(listed(shown.text)) == ["a/b c%", "plan"]
    assert listed(trash.text) == ["old"]
    assert 'data-role="trash-shown"' in trash.text
    assert 'data-role="trash-shown"' not in shown.text
    assert "/admin/soft-document/list?trash=1" in shown.text
    exported = export.text.strip().splitlines()[1:]
    assert len(exported) == 2 and not any("Old" in line for line in exported)


@pytest.mark.parametrize("value", ["0", "yes", ""])
def test_a_trash_parameter_no_page_makes_is_refused(served: Served, value: str) -> None:
    assert (
        served.client.get(
            "/admin/soft-document/list", params={"trash": value}
        ).status_code
        == 400
    )


def test_a_view_without_a_trash_refuses_the_parameter(
    database_url: str, tmp_path: Path
) -> None:
    import tests.shapes.string_keys as other

    with serving(other, database_url, tmp_path) as served:
        page = served.client.get("/admin/sk-publisher/list", params={"trash": "1"})
        plain = served.client.get("/admin/sk-publisher/list")
    assert page.status_code == 400
    assert 'data-role="trash-link"' not in plain.text


def test_the_trash_counts_and_pages_its_own_rows(served: Served) -> None:
    client = served.client
    for slug in ("plan", "a/b c%"):
        client.post("/admin/soft-document/delete", data={"pks": slug})

    trash = client.get(
        "/admin/soft-document/list", params={"trash": "1", "pageSize": "25"}
    )
    live = client.get("/admin/soft-document/list")

    assert sorted(listed(trash.text)) == ["a/b c%", "old", "plan"]
    assert listed(live.text) == []
    assert "Showing 1 to 3 of 3 items" in trash.text


def test_the_trash_stamp_is_no_filter_of_its_own(served: Served) -> None:
    view = next(v for v in served.views() if v.identity == "soft-document")

    answer = served.client.get(
        "/admin/soft-document/list", params={"deleted_at_from": "2020-01-01"}
    )

    assert [f.parameter_name for f in view.get_filters()] == []
    assert answer.status_code == 400


def test_the_stamp_is_a_column_of_the_trash_only(served: Served) -> None:
    """Outside the trash the stamp is always empty: the chooser offers it,
    unticked; in the trash it says when each row went."""
    from tests.listing_pages import column_headings

    shown = served.client.get("/admin/soft-document/list").text
    trash = served.client.get("/admin/soft-document/list", params={"trash": "1"})
    assert "Deleted at" not in column_headings(shown)
    assert 'name="columns" value="deleted_at"' in shown
    assert "Deleted at" in column_headings(trash.text)
    chosen = served.client.get(
        "/admin/soft-document/list", params={"columns": "title,deleted_at"}
    )
    assert column_headings(chosen.text)[-1] == "Deleted at"


def test_the_dashboard_card_counts_what_the_list_shows(served: Served) -> None:
    card = served.client.get("/admin/dashboard/widgets/model-soft-document?fragment=1")
    assert card.status_code == 200
    figure = re.search(r'data-role="model-count"[^>]*>\s*([^<\s]+)', card.text)
    assert figure is not None, card.text
    assert figure.group(1) == "2"  # "old" is in the trash
