"""The Webhooks pages in a real Chromium, at desktop and phone widths, by keyboard alone."""

import re

import pytest
from axe_playwright_python.base import AXE_SCRIPT

from djtranscribe.lib import http
from notify.delivery import delivery_attempt
from notify.models import Delivery, Endpoint

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
HOOK = "https://hooks.example.com/djtranscribe"


@pytest.fixture
def resolver(monkeypatch):
    """hooks.example.com is public, internal.example resolves to loopback: no real DNS."""
    table = {"hooks.example.com": ["93.184.216.34"], "internal.example": ["127.0.0.1"]}
    monkeypatch.setattr(http, "resolve", lambda host, port: table[host])
    return table


def axe_problems(page) -> list[str]:
    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']}" for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def press_on(page, selector: str, key: str = "Enter") -> None:
    page.focus(selector)
    page.keyboard.press(key)


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_an_endpoint_is_added_tested_and_replayed_by_keyboard(
    logged_in, resolver, mocked_http, screenshot, width_name
):
    page = logged_in
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width_name], strict=True)))
    page.goto("/webhooks/")
    assert "No endpoints yet." in page.content() and fits(page) and axe_problems(page) == []
    press_on(page, 'a:has-text("Add an endpoint")')
    page.wait_for_url("**/webhooks/new/")

    # A URL that resolves to loopback is refused, next to the field.
    page.focus("#id_url")
    page.keyboard.type("https://internal.example/hook")
    page.keyboard.press("Enter")
    assert (
        "internal.example resolves to 127.0.0.1, a loopback address"
        in page.locator("#url-error").inner_text()
    )
    assert fits(page) and axe_problems(page) == []
    screenshot(f"webhooks-refused-{width_name}")

    page.fill("#id_url", "")
    page.focus("#id_url")
    page.keyboard.type(HOOK)
    page.keyboard.press("Tab")  # the first kind: Standard Webhooks, already chosen
    page.focus("#id_events_4")  # transcript.revised: leave it out
    page.keyboard.press("Space")
    page.focus("#id_description")
    page.keyboard.type("CRM receiver")
    press_on(page, 'button:has-text("Create endpoint")')
    page.wait_for_url(re.compile(r".*/webhooks/\d+/$"))
    endpoint = Endpoint.objects.get()
    assert endpoint.url == HOOK and "transcript.revised" not in endpoint.events

    # The secret is there for its owner, behind a disclosure opened by keyboard.
    press_on(page, "details.secret summary")
    assert page.input_value("#signing-secret") == endpoint.secret

    mocked_http.post(HOOK, status=503, body="busy, try later")
    press_on(page, 'button:has-text("Send test event")')
    page.wait_for_selector("text=Test event queued")
    delivery_attempt(delivery_id=Delivery.objects.get().pk)  # the worker's turn
    page.reload()
    press_on(page, "#deliveries-title ~ ul details summary")
    assert "HTTP 503" in page.locator("ol.attempts").inner_text()
    assert "busy, try later" in page.locator("pre.answer").inner_text()
    assert fits(page) and axe_problems(page) == []
    screenshot(f"webhooks-endpoint-{width_name}")

    press_on(page, 'button:has-text("Replay")')
    page.wait_for_selector("text=queued again")
    assert Delivery.objects.get().attempts == 0  # a new round, waiting for the worker


def test_the_list_shows_the_endpoint_at_phone_width(logged_in, staff_user, screenshot):
    Endpoint.objects.create(
        owner=staff_user,
        url=HOOK + "/a-rather-long-path/that/keeps/going",
        events=["call.completed"],
        description="Ops channel",
        kind="slack",
    )
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/webhooks/")
    assert "Ops channel" in page.content() and fits(page) and axe_problems(page) == []
    screenshot("webhooks-list-phone")


def test_on_a_phone_each_kind_reads_beside_its_radio_button(logged_in):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/webhooks/new/")
    # The first line of each radio's text starts beside the button, not on a line below it.
    gaps = page.evaluate(
        """() => Array.from(document.querySelectorAll('label.choice > input[type=radio]')).map((input) => {
          const text = Array.from(input.parentNode.childNodes).find(
            (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
          const range = document.createRange();
          range.selectNodeContents(text);
          return range.getClientRects()[0].top - input.getBoundingClientRect().bottom;
        })"""
    )
    assert len(gaps) == 2 and all(gap < 0 for gap in gaps), gaps
