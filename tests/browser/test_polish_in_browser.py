"""Keyboard and small-screen polish in a real Chromium: the skip link, visible focus, badges that
read as badges, and the admin's call and transcript pages at phone width."""

from datetime import timedelta

import pytest

from tests.factories import make_call, make_recording, make_transcript

from .chromium import require_chromium

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
CALL_SID = "CA" + "3" * 32
RECORDING_SID = "RE" + "3" * 32
LONG_WORD = "Supercalifragilisticexpialidocious" * 3  # no place to break it


def focused(page) -> dict:
    return page.evaluate(
        """() => {
          const el = document.activeElement, box = el.getBoundingClientRect(), style = getComputedStyle(el);
          return {cls: el.className, text: el.textContent.trim(), top: box.top, height: box.height,
                  outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth)};
        }"""
    )


@pytest.mark.parametrize("width_name", WIDTHS)
def test_the_first_tab_shows_a_skip_link_that_jumps_to_the_content(logged_in, screenshot, width_name):
    page = logged_in
    width, height = WIDTHS[width_name]
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/calls/")
    assert page.locator(".skip-link").bounding_box()["y"] < 0  # out of sight until focused
    page.keyboard.press("Tab")
    link = focused(page)
    assert (link["cls"], link["text"]) == ("skip-link", "Skip to content")
    assert link["top"] >= 0 and link["height"] > 0
    assert link["outline"] != "none" and link["outlineWidth"] >= 2
    screenshot(f"skip-link-{width_name}")
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    page.keyboard.press("Tab")  # the next stop is inside the content, past the header's links
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def test_every_control_reached_by_keyboard_shows_its_focus(logged_in):
    page = logged_in
    page.goto("/")
    seen = 0
    for _ in range(12):
        page.keyboard.press("Tab")
        state = focused(page)
        if state["cls"] == "skip-link" or not state["text"] and state["height"] == 0:
            continue
        assert state["outline"] != "none", f"no visible focus on {state}"
        seen += 1
    assert seen >= 5


def test_status_badges_are_pills_with_a_border_and_a_dot(logged_in, screenshot, staff_user):
    make_call(CALL_SID, status="completed", duration=12, owner=staff_user, dialed_by=staff_user)
    make_call("CA" + "4" * 32, status="busy", owner=staff_user, dialed_by=staff_user)
    page = logged_in
    page.goto("/calls/")
    badge = page.locator(".status-completed").first
    style = badge.evaluate(
        """el => { const s = getComputedStyle(el), dot = getComputedStyle(el, '::before');
                   return {radius: parseFloat(s.borderTopLeftRadius), border: s.borderTopStyle,
                           dot: dot.content, dotWidth: parseFloat(dot.width)}; }"""
    )
    assert style["radius"] >= 8 and style["border"] == "solid"
    assert style["dot"] == '""' and style["dotWidth"] > 0
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        screenshot(f"status-badges-{width_name}")


@pytest.fixture
def admin_page(page, admin_user):
    """The admin signed in through its own login form, with a long call and transcript to show."""
    call = make_call(
        CALL_SID,
        to="+442071838750",
        status="completed",
        duration=754,
        owner=admin_user,
        dialed_by=admin_user,
        created_ago=timedelta(minutes=3),
    )
    make_recording(call, sid=RECORDING_SID, duration=754, owner=admin_user)
    words = [
        {
            "text": LONG_WORD if i % 40 == 0 else "word",
            "start": i * 300,
            "end": i * 300 + 250,
            "confidence": 0.5,
        }
        for i in range(200)
    ]
    make_transcript(
        completed=True,
        owner=admin_user,
        job_id="5551c0de-0000-4000-8000-000000000001",
        call_sid=CALL_SID,
        recording_sid=RECORDING_SID,
        audio_url="https://api.twilio.com/2010-04-01/Accounts/AC" + "0" * 32 + "/Recordings/" + RECORDING_SID,
        text=" ".join(w["text"] for w in words),
        words=words,
    )
    page.goto("/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def test_the_admins_call_and_transcript_pages_fit_a_phone(admin_page, screenshot):
    from caller.models import Call
    from transcription.models import Transcript

    page = admin_page
    call, transcript = Call.objects.get(), Transcript.objects.get()
    pages = {
        "calls": "/admin/caller/call/",
        "call": f"/admin/caller/call/{call.pk}/change/",
        "transcripts": "/admin/transcription/transcript/",
        "transcript": f"/admin/transcription/transcript/{transcript.pk}/change/",
    }
    overflowing = {}
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        for name, path in pages.items():
            page.goto(path)
            scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
            if scroll_width > width:
                overflowing[f"{path} at {width}px"] = scroll_width
            screenshot(f"admin-{name}-{width_name}")
    assert not overflowing, f"pages wider than the screen: {overflowing}"


def test_the_admin_header_says_djtranscribe_and_a_read_only_page_has_no_save(admin_page):
    from caller.models import Recording

    page = admin_page
    assert page.locator("#site-name").inner_text() == "djtranscribe"
    # A recording is all Twilio's (a call's page keeps Save for its notes).
    page.goto(f"/admin/caller/recording/{Recording.objects.get().pk}/change/")
    assert page.locator("input[name=_save]").count() == 0
