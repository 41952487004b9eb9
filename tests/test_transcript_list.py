"""The transcripts list: every transcript, searchable by the words in it, filterable by status."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audio.models import AudioAsset
from caller.audio import recording_asset
from search.engine import Search
from search.highlight import clip
from tests.factories import make_call, make_recording, make_transcript, make_user
from tests.fakes import MEDIA_URL, RECORDING_SID
from transcription.models import Transcript

pytestmark = pytest.mark.django_db

WORDS = [{"text": "Hello", "start": 0, "end": 400, "confidence": 0.9}]


def transcript(text="", status="completed", minutes_ago=0, **fields):
    return make_transcript(
        status=status, text=text, words=WORDS, created_ago=timedelta(minutes=minutes_ago), **fields
    )


def listed(client, **params) -> list[int]:
    response = client.get("/transcription/", params)
    assert response.status_code == 200
    return [row["transcript"].pk for row in response.context["rows"]]


# Matching and snippets, without the database.


def test_a_search_is_the_distinct_words_of_the_query():
    assert Search.parse("  Refund  tuesday refund ").text == "refund tuesday"


def test_a_search_keeps_at_most_eight_words_and_says_how_many_it_left_out():
    search = Search.parse("a b c d e f g h i j")
    assert search.text == "a b c d e f g h"
    assert search.dropped == 2


def test_hits_count_every_whole_word_ignoring_case():
    assert Search.parse("ship tuesday").hits("Ship it Tuesday; shipping on TUESDAY.") == 3


def test_the_snippet_highlights_each_match_ignoring_case():
    assert Search.parse("refund").snippet("I want a Refund now") == "I want a <mark>Refund</mark> now"


def test_the_snippet_prefers_the_longest_word_where_two_overlap():
    assert Search.parse("ship shipping").snippet("shipping") == "<mark>shipping</mark>"


def test_the_snippet_escapes_html_in_the_text_and_in_the_match():
    snippet = Search.parse("<b>").snippet('say <b>hi</b> & <script>alert("x")</script>')
    assert snippet == (
        "say &lt;<mark>b</mark>&gt;hi&lt;/<mark>b</mark>&gt; &amp; "
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    )


def test_the_snippet_starts_near_the_first_match_and_cuts_at_spaces():
    text = " ".join(f"w{n}" for n in range(200)) + " needle " + " ".join(f"v{n}" for n in range(200))
    snippet = Search.parse("needle").snippet(text)
    assert snippet.startswith("…w")
    assert snippet.endswith("…")
    assert "<mark>needle</mark>" in snippet
    before = snippet[1 : snippet.index("<mark>")]
    assert 40 <= len(before) <= 61
    assert all(word.startswith(("w", "v")) and word[1:].isdigit() for word in snippet.strip("…").split()[:3])


def test_clip_cuts_long_text_at_a_space():
    assert clip("one two three", 9) == "one two…"
    assert clip("short", 9) == "short"


# The page.


def test_the_list_requires_login(client):
    response = client.get("/transcription/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_header_links_to_the_transcripts(staff_client):
    assert b'<a href="/transcription/">Transcripts</a>' in staff_client.get("/").content


def test_the_list_shows_the_newest_first(staff_client):
    old = transcript("old words", minutes_ago=60)
    new = transcript("new words", minutes_ago=1)
    assert listed(staff_client) == [new.pk, old.pk]


def test_the_list_shows_status_length_confidence_and_a_preview(staff_client):
    transcript("Thanks for calling " * 30, audio_duration=125, confidence=0.876)
    html = staff_client.get("/transcription/").content.decode()
    assert '<span class="status status-completed">Completed</span>' in html
    assert "2:05" in html
    assert "88% confidence" in html
    assert "Thanks for calling Thanks" in html
    assert ("Thanks for calling " * 30).strip() not in html


def test_the_list_names_the_number_called_and_links_the_call(staff_client):
    call = make_call(sid="CA" + "3" * 32)
    recording = make_recording(call, sid=RECORDING_SID)
    transcript("hi", recording_sid=RECORDING_SID, audio_url=MEDIA_URL, audio=recording_asset(recording))
    html = staff_client.get("/transcription/").content.decode()
    assert "Call to (415) 555-1234</a>" in html  # national: the home country is TWILIO_PHONE_NUMBER's
    assert f'href="/calls/{call.sid}/"' in html
    assert "api.twilio.com" not in html


def test_the_list_names_audio_without_a_call_by_its_file_name(staff_client):
    transcript("hi", audio_url="https://cdn.example.com/field%20notes/day%201.mp3")
    transcript("hi", audio_source="upload")
    html = staff_client.get("/transcription/").content.decode()
    assert ">day 1.mp3</a>" in html
    assert ">uploaded audio</a>" in html


def test_searching_finds_the_text_ignoring_case(staff_client):
    hit = transcript("We will REFUND you on Tuesday")
    transcript("Nothing to see here")
    assert listed(staff_client, q="refund") == [hit.pk]


def test_searching_several_words_finds_only_texts_with_all_of_them(staff_client):
    both = transcript("Tuesday we ship the refund")
    transcript("a refund, but no day")
    transcript("Tuesday, and nothing more")
    assert listed(staff_client, q="refund tuesday") == [both.pk]


def test_searching_ignores_punctuation_like_wildcards(staff_client):
    percent = transcript("a 100% refund", minutes_ago=1)
    dollar = transcript("a 100 dollar refund", minutes_ago=2)
    transcript("a 10 dollar refund")
    assert sorted(listed(staff_client, q="100%")) == sorted([percent.pk, dollar.pk])


def test_a_hit_shows_its_snippet_its_count_and_a_link_that_carries_the_search(staff_client):
    hit = transcript("I asked for a refund. The refund came Tuesday.")
    html = staff_client.get("/transcription/", {"q": "refund"}).content.decode()
    assert "I asked for a <mark>refund</mark>. The <mark>refund</mark> came Tuesday." in html
    assert "2 hits" in html
    assert f'href="/transcription/{hit.pk}/?q=refund"' in html
    assert "1 transcript contains “refund”" in html


def test_a_hit_with_html_in_its_text_is_escaped(staff_client):
    transcript('<img src=x onerror="alert(1)"> refund')
    html = staff_client.get("/transcription/", {"q": "refund"}).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>refund</mark>" in html


def test_a_search_with_html_in_it_is_escaped_everywhere(staff_client):
    html = staff_client.get("/transcription/", {"q": "<script>x</script>"}).content.decode()
    assert "<script>x" not in html
    assert "No transcript matches “&quot;script x script&quot;”" in html


def test_the_transcript_page_fills_its_search_box_from_the_link(staff_client):
    hit = transcript("refund")
    html = staff_client.get(f"/transcription/{hit.pk}/", {"q": '"><b>refund'}).content.decode()
    assert 'value="&quot;&gt;&lt;b&gt;refund"' in html


def test_the_status_filter_shows_only_that_status_and_counts_each(staff_client):
    done = transcript("refund", status="completed")
    transcript("", status="processing")
    transcript("", status="processing")
    response = staff_client.get("/transcription/", {"status": "completed"})
    assert [row["transcript"].pk for row in response.context["rows"]] == [done.pk]
    html = response.content.decode()
    assert '<a href="?status=processing" data-status="processing">Processing <span class="n">2</span>' in html
    assert 'aria-current="page" data-status="completed">Completed <span class="n">1</span>' in html
    assert '<a href="?" data-status="">All <span class="n">3</span></a>' in html


def test_the_status_filter_and_the_search_combine(staff_client):
    hit = transcript("refund", status="completed")
    transcript("refund", status="error")
    transcript("other", status="completed")
    assert listed(staff_client, q="refund", status="completed") == [hit.pk]


def test_an_unknown_status_is_refused_with_the_choices(staff_client):
    transcript("refund")
    response = staff_client.get("/transcription/", {"status": "done"})
    assert response.status_code == 400
    assert "There is no status &#x27;done&#x27;: choose one of pending, queued" in response.content.decode()


def test_a_search_too_long_is_refused_with_the_limit(staff_client):
    transcript("refund")
    response = staff_client.get("/transcription/", {"q": "refund " * 40})
    assert response.status_code == 400
    assert "That search is 280 characters long: search for at most 200." in response.content.decode()


def test_the_list_is_paginated_25_a_page_and_pages_keep_the_search(staff_client):
    # Equally good hits: the latest added first.
    made = [transcript(f"refund number {n}") for n in range(30)][::-1]
    first = staff_client.get("/transcription/", {"q": "refund"})
    assert [row["transcript"].pk for row in first.context["rows"]] == [t.pk for t in made[:25]]
    assert '<a href="?q=refund&amp;page=2" rel="next">Older →</a>' in first.content.decode()
    assert listed(staff_client, q="refund", page=2) == [t.pk for t in made[25:]]


def test_a_page_past_the_end_shows_the_last_page(staff_client):
    made = [transcript("x", minutes_ago=n) for n in range(26)]
    assert listed(staff_client, page=99) == [made[-1].pk]
    assert listed(staff_client, page="nonsense") == [t.pk for t in made[:25]]


def test_the_list_never_loads_the_whole_words_or_the_utterances(staff_client):
    transcript("refund")
    for params in ({}, {"q": "refund"}):
        with CaptureQueriesContext(connection) as captured:
            staff_client.get("/transcription/", params)
        selects = [q["sql"] for q in captured if "transcription_transcript" in q["sql"]]
        assert selects
        # One word of a hit may be read (its moment); the whole list, never.
        whole = re.compile(r'"words"(?!, \'\$\[\d+\]|\s*#>>|\s*->)|"utterances"')
        assert not [sql for sql in selects if whole.search(sql)]


@pytest.mark.parametrize("params", [{}, {"q": "refund"}, {"status": "completed"}])
def test_the_list_costs_the_same_queries_however_many_transcripts_it_shows(staff_client, params):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get("/transcription/", params).status_code == 200
        return len(captured)

    def add(n):
        # Each kind: a call's recording (described by its asset), a URL's asset, and plain audio.
        sid = f"CA{n:032x}"
        call = make_call(sid=sid, to=f"+1415555{n:04d}")
        recording_sid = f"RE{n:032x}"
        recording = make_recording(call, sid=recording_sid)
        transcript("a refund", recording_sid=recording_sid, call_sid=sid, audio=recording_asset(recording))
        url = f"https://cdn.example.com/{n}.mp3"
        transcript(
            "a refund", audio_url=url, audio=AudioAsset.objects.create(origin_kind="url", origin_url=url)
        )
        transcript("a refund", audio_url=f"https://cdn.example.com/plain-{n}.mp3")

    add(1)
    few = queries()
    for n in range(2, 9):
        add(n)
    assert queries() == few


def test_each_listed_transcript_is_described_by_its_asset_or_its_public_url():
    from transcription import sources

    asset = AudioAsset.objects.create(
        origin_kind="twilio_recording",
        label="+14155551234",
        title="Call to +14155551234",
        page_url="/calls/x/",
    )
    described = sources.describe_many(
        [
            make_transcript(recording_sid=RECORDING_SID, audio=asset),
            Transcript(audio_url="https://cdn.example.com/a.mp3"),
            Transcript(recording_sid="RE" + "9" * 32, audio_url=MEDIA_URL),
        ]
    )
    assert described == [
        sources.Source(label="+14155551234", page_url="/calls/x/", page_title="Call to +14155551234"),
        sources.Source(player_url="https://cdn.example.com/a.mp3"),
        sources.Source(),  # a recording's URL needs credentials: never to the browser
    ]


def test_a_transcript_given_to_someone_else_plays_the_recording_but_names_no_call():
    from transcription import sources

    caller_owner, other = make_user("owner"), make_user("other")
    asset = AudioAsset.objects.create(
        origin_kind="twilio_recording",
        owner=caller_owner,
        label="+14155551234",
        page_url="/calls/x/",
        player_url="/recordings/x/media/",
    )
    [own, given] = sources.describe_many(
        [make_transcript(audio=asset, owner=caller_owner), make_transcript(audio=asset, owner=other)]
    )
    assert (own.label, own.page_url) == ("+14155551234", "/calls/x/")
    assert given == sources.Source(player_url="/recordings/x/media/")
