"""The API's pages in a real Chromium: the docs (Swagger UI from the app, under the strict CSP) and
the API tokens page (create, copy once, revoke), at phone width and by keyboard."""

import pytest

from api.models import ApiToken
from api.tokens import TOKEN_RE

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_render_every_operation_without_a_csp_violation(logged_in, screenshot):
    page = logged_in
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/transcripts/{id}/" in path for path in paths)
    assert any("/api/v1/calls/" in path for path in paths)
    screenshot("api-docs")
    # The `page` fixture fails the test on any Content-Security-Policy violation.


def test_a_token_is_made_shown_once_and_revoked_at_phone_width_by_keyboard(logged_in, screenshot):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/api-tokens/")
    page.focus("#token-name")
    page.keyboard.type("nightly export")
    page.keyboard.press("Enter")
    page.wait_for_selector("#new-token")
    token = page.input_value("#new-token")
    assert TOKEN_RE.match(token)
    screenshot("api-tokens-phone")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide at phone width"
    page.goto("/api-tokens/")
    assert token not in page.content()
    page.focus('button:has-text("Revoke")')
    page.keyboard.press("Enter")
    page.wait_for_selector("text=revoked")
    assert ApiToken.objects.get().revoked_at is not None
