"""The dashboard in a real browser: every box filled from its own URL at
once, a failing widget's box showing its own error while the others render,
links instead without JavaScript, names that wrap between words with their
Add link beside or under them, and no serious axe findings, light or dark."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from admin_app.app import create_app
from admin_app.dashboard import Dashboard, Kpi
from admin_app.settings import Settings
from models.tables import Order
from models.widgets import dashboard as demo_board
from tests.browser import accessibility_violations, logged_in_page, serving
from tests.dashboard.shop import add_orders


def broken() -> object:
    raise RuntimeError("no such table: the_warehouse")


BOARD = Dashboard(*demo_board, Kpi("Broken figure", Order, where=broken))
FILLED = "[data-widget] [data-role=widget-content]"


@pytest.fixture
def live_server(settings: Settings, engine: Engine, admin_user: str) -> Iterator[str]:
    add_orders(engine)
    with serving(create_app(settings, dashboard=BOARD)) as url:
        yield url


def wait_until_filled(page: Any) -> int:
    boxes = page.locator("[data-widget]").count()
    page.wait_for_function(
        "n => document.querySelectorAll("
        "'[data-widget] [data-role=widget-content]').length === n",
        arg=boxes,
    )
    return int(boxes)


def test_every_box_fills_and_a_failing_one_shows_its_own_error(page: Any) -> None:
    page.goto("/admin/")
    boxes = wait_until_filled(page)
    assert boxes > 10
    broken_box = page.locator('[data-widget="broken-figure"]')
    assert broken_box.locator("[data-role=widget-error]").is_visible()
    assert "the_warehouse" not in broken_box.inner_text()
    errors = page.locator("[data-widget] [data-role=widget-error]").count()
    assert errors == 1
    assert (
        page.locator('[data-widget="open-orders"] [data-role=kpi-value]').inner_text()
        == "3"
    )
    chart = page.locator('[data-widget="orders-per-day"] svg[role=img]')
    assert "Orders per day" in chart.get_attribute("aria-label")
    ranking = page.locator('[data-widget="top-requesters"] [data-role=widget-row] a')
    assert ranking.first.inner_text() == "Ada Lovelace"
    assert page.locator('[data-widget="model-order"] svg[role=img]').is_visible()
    assert accessibility_violations(page) == []
    # Dark (Tabler's own attribute, which the theme toggle sets): figures and
    # chart bands keep their contrast with the card they are drawn on.
    page.evaluate(
        "() => document.documentElement.setAttribute('data-bs-theme', 'dark')"
    )
    for selector in (
        '[data-widget="open-orders"] [data-role=kpi-value]',
        '[data-widget="orders-per-day"] rect.dashboard-band-0',
        '[data-widget="model-order"] .dashboard-spark-line',
    ):
        assert contrast(page, selector) >= 3, selector


CONTRAST = """element => {
  const rgb = text => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const style = getComputedStyle(element);
  const paint = element instanceof SVGElement
    ? (element.tagName === 'polyline' ? style.stroke : style.fill)
    : style.color;
  let card = element.closest('.card');
  const ground = getComputedStyle(card).backgroundColor;
  const [a, b] = [luminance(rgb(paint)), luminance(rgb(ground))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def contrast(page: Any, selector: str) -> float:
    return float(page.locator(selector).first.evaluate(CONTRAST))


def test_without_javascript_each_box_links_to_its_widget_page(  # type: ignore[no-untyped-def]
    chromium, live_server: str
) -> None:
    page = logged_in_page(chromium, live_server, javascript=False)
    assert page.locator(FILLED).count() == 0
    page.click('[data-widget="open-orders"] [data-role=widget-link]')
    page.wait_for_url("**/dashboard/widgets/open-orders")
    assert page.locator("[data-role=kpi-value]").inner_text() == "3"
    page.go_back()
    page.click('[data-widget="broken-figure"] [data-role=widget-link]')
    assert page.locator("[data-role=widget-error]").is_visible()
    page.context.close()


@pytest.mark.parametrize("width", [390, 1400])
def test_model_names_wrap_between_words_and_their_add_link_never_covers_them(
    page: Any, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/admin/")
    wait_until_filled(page)
    found = page.evaluate(
        """() => [...document.querySelectorAll('[data-role=model-list]')].map(link => {
          const words = [];
          const text = link.firstChild;
          let start = 0;
          for (const word of text.textContent.split(' ')) {
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, start + word.length);
            words.push(range.getClientRects().length);
            start += word.length + 1;
          }
          const card = link.closest('[data-widget]');
          const add = card.querySelector('[data-role=model-add]');
          const a = link.getBoundingClientRect();
          const b = add ? add.getBoundingClientRect() : null;
          const overlaps = b !== null && !(a.right <= b.left || b.right <= a.left ||
            a.bottom <= b.top || b.bottom <= a.top);
          return {name: text.textContent, split: words.some(n => n > 1), overlaps};
        })"""
    )
    assert {item["name"] for item in found} >= {"Login Throttles", "Project Members"}
    assert [item for item in found if item["split"] or item["overlaps"]] == []
