"""A long call in a real Chromium: word spans are made only near the screen (words.js), and a word
deep in the call is still found, highlighted by playback, played from and corrected."""

import pytest
from django.utils import timezone

from caller.audio import recording_asset
from tests.factories import make_call, make_recording, make_transcript
from tests.fakes import RECORDING_SID, mock_media, tone_wav

from .chromium import require_chromium
from .conftest import SCREENSHOTS
from .test_accessibility import violations

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALL_SID = "CA" + "9" * 32
WORDS_IN_CALL = 4000  # past words.js's EAGER (2,000): the spans are made as turns come near
STEP_MS = 90
SECONDS = WORDS_IN_CALL * STEP_MS / 1000 + 2
DEEP = 3210  # word3210, at 288.9 s


def long_words():
    """Two channels taking turns of 20 words, one word every 90 ms; every word's text is unique."""
    return [
        {
            "text": f"word{n}",
            "start": n * STEP_MS,
            "end": n * STEP_MS + 80,
            "confidence": 0.3 if n % 50 == 7 else 0.95,
            "channel": "1" if (n // 20) % 2 == 0 else "2",
        }
        for n in range(WORDS_IN_CALL)
    ]


@pytest.fixture
def transcript(mocked_http, staff_user):
    call = make_call(sid=CALL_SID, status="completed", duration=round(SECONDS), owner=staff_user)
    recording = make_recording(call, sid=RECORDING_SID, duration=round(SECONDS), source="DialVerb")
    # A low rate (Chromium plays no less than 3 kHz) keeps six minutes of tone at 2 MB: the player
    # needs it to seek that far.
    mock_media(mocked_http, tone_wav(SECONDS, rate=3000, hz=100), url=recording.media_url, redirect_to=None)
    words = long_words()
    return make_transcript(
        audio=recording_asset(recording),
        owner=staff_user,
        job_id="c2e1d0b3-longcall",
        status="completed",
        call_sid=CALL_SID,
        recording_sid=RECORDING_SID,
        text=" ".join(w["text"] for w in words),
        words=words,
        audio_duration=SECONDS,
        completed_at=timezone.now(),
    )


def in_view(page, selector):
    return page.evaluate(
        """(selector) => {
          const r = document.querySelector(selector).getBoundingClientRect();
          return r.top >= 0 && r.bottom <= window.innerHeight;
        }""",
        selector,
    )


def test_a_long_call_has_all_its_text_but_spans_only_near_the_screen(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/")
    spans = page.locator("#transcript .w").count()
    assert 0 < spans < WORDS_IN_CALL / 4
    text = page.locator("#transcript").text_content()
    assert "word0 word1" in text and "word3999" in text  # find-in-page and screen readers read it all
    assert violations(page) == []


def test_a_moment_deep_in_a_long_call_is_highlighted_played_and_corrected(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/#t=288.9")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    moment = page.locator("#transcript .w.moment")
    assert moment.inner_text() == f"word{DEEP}"
    assert in_view(page, "#transcript .w.moment")

    moment.click()  # plays from the word, and focuses it
    assert 288.9 <= page.evaluate("document.getElementById('player').currentTime") < 289.0
    page.evaluate("document.getElementById('player').pause()")
    page.keyboard.type("zeppelin")
    page.keyboard.press("Enter")
    corrected = page.locator("#transcript .w.ed", has_text="zeppelin")
    corrected.wait_for()
    assert (corrected.get_attribute("data-s"), corrected.get_attribute("data-e")) == ("288900", "288980")

    transcript.refresh_from_db()
    texts = [w["text"] for w in transcript.words]
    assert texts[DEEP - 1 : DEEP + 2] == [f"word{DEEP - 1}", "zeppelin", f"word{DEEP + 1}"]
    assert len(texts) == WORDS_IN_CALL


def play_from(page, transcript, seconds: float) -> None:
    """The transcript's page, its audio playing (muted) from `seconds`."""
    page.goto(f"/transcription/{transcript.pk}/")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    page.evaluate(
        """(seconds) => {
          const audio = document.getElementById('player');
          audio.muted = true;
          audio.currentTime = seconds;
          return audio.play();
        }""",
        seconds,
    )


def test_playback_deep_in_a_long_call_highlights_the_spoken_word_and_follows_it(logged_in, transcript):
    page = logged_in
    play_from(page, transcript, 300)
    page.wait_for_function(
        """() => {
          const now = document.querySelector('#transcript .w.now');
          return now && +now.dataset.s >= 300000;
        }"""
    )
    page.wait_for_function(
        """() => {
          const r = document.querySelector('#transcript .w.now').getBoundingClientRect();
          return r.top >= 0 && r.bottom <= window.innerHeight;
        }"""
    )


def test_following_playback_far_ahead_jumps_there_without_making_every_span_between(logged_in, transcript):
    page = logged_in
    play_from(page, transcript, 295)
    page.wait_for_function(
        """() => {
          const now = document.querySelector('#transcript .w.now');
          if (!now) return false;
          const r = now.getBoundingClientRect();
          return r.top >= 0 && r.bottom <= window.innerHeight;
        }"""
    )
    page.wait_for_timeout(1500)  # a smooth scroll would still be passing the turns between
    assert page.locator("#transcript .w").count() < WORDS_IN_CALL / 4


def test_keyboard_steps_from_turn_to_turn_and_word_to_word_past_the_made_spans(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/#t=288.9")
    page.locator("#transcript .w.moment").click()
    page.evaluate("document.getElementById('player').pause()")
    page.keyboard.press("ArrowDown")  # the next turn's first word: 3220
    assert page.evaluate("document.activeElement.textContent") == "word3220"
    page.keyboard.press("Control+ArrowLeft")
    assert page.evaluate("document.activeElement.textContent") == "word3219"
    page.keyboard.press("Tab")  # the next doubtful word: 3257
    assert page.evaluate("document.activeElement.textContent") == "word3257"


def stranger_on_a_share_link(page, browser, live_server, transcript, *, at: str = ""):
    """A share link made on `page`, opened (at `at`, e.g. "#t=10") in a browser that is not signed in."""
    page.goto(f"/transcription/{transcript.pk}/")
    page.select_option("#id_lifetime", "1d")
    page.click('button:has-text("Create a share link")')
    path = page.input_value("#share-url").removeprefix("https://djt.example.com")
    stranger = browser.new_context(base_url=live_server.url).new_page()
    stranger.goto(path + at)
    return stranger


def test_a_share_link_to_a_long_call_finds_a_word_near_its_end(logged_in, browser, live_server, transcript):
    stranger = stranger_on_a_share_link(logged_in, browser, live_server, transcript)
    assert 0 < stranger.locator("#transcript .w").count() < WORDS_IN_CALL / 4
    stranger.fill("#search", "word3998")
    found = stranger.locator("#transcript .w.hit-current")
    found.wait_for()
    assert found.inner_text() == "word3998"
    assert in_view(stranger, "#transcript .w.hit-current")
    stranger.context.close()


def test_a_share_link_opened_at_a_moment_shows_that_moment(logged_in, browser, live_server, transcript):
    stranger = stranger_on_a_share_link(logged_in, browser, live_server, transcript, at="#t=288.9")
    moment = stranger.locator("#transcript .w.moment")
    moment.wait_for()
    assert in_view(stranger, "#transcript .w.moment")
    stranger.context.close()


def test_making_a_turns_word_spans_never_moves_its_lines(logged_in, transcript):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/transcription/{transcript.pk}/")
    changed = page.evaluate(
        """() => {
          const W = window.TranscriptWords;
          const turns = [...document.querySelectorAll('#transcript .para p[data-w]')].slice(-60);
          // Laid out for real, not at the size off-screen paragraphs are given (content-visibility).
          turns.forEach((p) => { p.closest('.para').style.contentVisibility = 'visible'; });
          const before = turns.map((p) => p.getBoundingClientRect().height);
          let first = 0;
          const firsts = [];
          // The first word of each of these turns: count the words of every turn before it.
          for (const p of document.querySelectorAll('#transcript .para p')) {
            if (turns.includes(p)) firsts.push(first);
            first += p.dataset.w ? p.dataset.w.split(' ').length : p.querySelectorAll('.w').length;
          }
          firsts.forEach((i) => W.span(i));
          return turns.filter((p, k) => p.getBoundingClientRect().height !== before[k]).length;
        }"""
    )
    assert changed == 0


def test_the_next_doubtful_word_is_found_from_the_moment_opened_not_from_the_start(logged_in, transcript):
    page = logged_in
    page.goto(f"/transcription/{transcript.pk}/#t=288.9")
    page.locator("#transcript .w.moment").wait_for()
    page.click("#next-doubtful")
    flashed = page.locator("#transcript .w.flash")
    flashed.wait_for()
    assert 288_900 <= int(flashed.get_attribute("data-s")) < 295_000
    assert in_view(page, "#transcript .w.flash")


def test_a_long_call_reads_at_phone_width(logged_in, transcript):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/transcription/{transcript.pk}/#t=288.9")
    page.locator("#transcript .w.moment").wait_for()
    assert in_view(page, "#transcript .w.moment")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The screen, not the full page (tens of thousands of pixels tall).
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "long-call-phone.png"))
    assert violations(page) == []
