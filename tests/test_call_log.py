"""The call log: every call the user may see, searchable and filtered, as a page and as CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from caller.call_log import safe_cell
from caller.models import Call, CallerProfile
from djtranscribe.lib.numbers import display_number
from tests.factories import make_call, make_transcript, make_user

pytestmark = pytest.mark.django_db

PAGE = "/calls/"
CSV = "/calls/export.csv"


def sid(n: int) -> str:
    return f"CA{n:032x}"


@pytest.fixture
def alice(client):
    user = make_user("alice", password="pw-alice-123")
    client.force_login(user)
    return user


def shown(client, query="") -> list[str]:
    html = client.get(PAGE + query).content.decode()
    found = [s for s in (sid(n) for n in range(1, 40)) if f'data-call-sid="{s}"' in html]
    return sorted(found, key=lambda s: html.index(f'data-call-sid="{s}"'))  # in page order


def csv_rows(client, query=""):
    response = client.get(CSV + query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_it_lists_the_users_calls_newest_first_and_no_one_elses(client, alice):
    make_call(sid(1), owner=alice, dialed_by=alice, created_ago=timedelta(days=2))
    make_call(sid(2), owner=alice, dialed_by=alice, created_ago=timedelta(days=1))
    make_call(sid(3), owner=make_user("bob"))
    assert shown(client) == [sid(2), sid(1)]


def test_it_shows_duration_and_who_placed_it(client, alice):
    make_call(sid(1), owner=alice, dialed_by=alice, status="completed", duration=75)
    html = client.get(PAGE).content.decode()
    assert "1:15" in html and ">alice</td>" in html


def test_it_pages_by_25(client, alice):
    for n in range(1, 28):
        make_call(sid(n), owner=alice, created_ago=timedelta(minutes=n))
    assert len(shown(client)) == 25
    assert shown(client, "?page=2") == [sid(26), sid(27)]


def test_it_finds_calls_by_digits_of_the_number_however_typed(client, alice):
    make_call(sid(1), owner=alice, to="+14155550101")
    make_call(sid(2), owner=alice, to="+442071838750")
    assert shown(client, "?q=(415)+555-0101") == [sid(1)]
    assert shown(client, "?q=2071") == [sid(2)]


def test_it_finds_calls_by_who_placed_them(client, alice):
    make_call(sid(1), owner=alice, dialed_by=alice)
    make_call(sid(2), owner=alice, dialed_by=None)
    assert shown(client, "?q=ALI") == [sid(1)]


def test_it_filters_by_call_status(client, alice):
    make_call(sid(1), owner=alice, status="completed")
    make_call(sid(2), owner=alice, status="busy")
    assert shown(client, "?status=busy") == [sid(2)]


def test_it_filters_by_date_range_inclusive(client, alice):
    make_call(sid(1), owner=alice, created_ago=timedelta(days=10))
    make_call(sid(2), owner=alice, created_ago=timedelta(days=3))
    make_call(sid(3), owner=alice)
    from django.utils import timezone

    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert shown(client, f"?since={day}&until={day}") == [sid(2)]


def test_it_filters_by_transcript_status_and_by_having_none(client, alice):
    make_call(sid(1), owner=alice)
    make_call(sid(2), owner=alice)
    make_transcript(completed=True, call_sid=sid(2), owner=alice)
    assert shown(client, "?transcript=completed") == [sid(2)]
    assert shown(client, "?transcript=none") == [sid(1)]
    assert shown(client, "?transcript=error") == []


def test_a_bad_filter_is_named_not_a_500(client, alice):
    response = client.get(PAGE + "?status=exploded&since=yesterday")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is no call status" in html and "is not a date like" in html


def test_the_csv_has_the_current_filter_and_only_the_users_calls(client, alice):
    make_call(sid(1), owner=alice, status="completed", duration=9, dialed_by=alice)
    make_call(sid(2), owner=alice, status="busy")
    make_call(sid(3), owner=make_user("bob"), status="completed")
    rows = csv_rows(client, "?status=completed")
    assert rows[0][:2] == ["When (UTC)", "When (local, UTC)"]  # no zone chosen: the site's, UTC
    assert [row[-1] for row in rows[1:]] == [sid(1)]
    assert rows[1][7:9] == ["9", "alice"]


def test_the_csv_gives_each_time_in_the_users_zone_and_in_utc(client, alice):
    CallerProfile.objects.create(user=alice, time_zone="America/New_York")
    call = make_call(sid(1), owner=alice)
    Call.objects.filter(pk=call.pk).update(created_at=datetime(2026, 7, 1, 12, 30, tzinfo=UTC))
    header, row = csv_rows(client)
    assert header[:2] == ["When (UTC)", "When (local, America/New_York)"]
    assert row[:2] == ["2026-07-01 12:30:00", "2026-07-01 08:30:00 -0400"]  # EDT, four hours behind


def test_the_csv_refuses_a_bad_filter_instead_of_exporting_every_call(client, alice):
    make_call(sid(1), owner=alice)
    response = client.get(CSV + "?since=2026-13-01")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "From date '2026-13-01' is not a date like 2026-12-01." in response.content.decode()


def test_a_bad_filter_offers_no_csv_download_the_csv_would_refuse(client, alice):
    assert "Download CSV" not in client.get(PAGE + "?since=yesterday").content.decode()
    assert "Download CSV" in client.get(PAGE + "?since=2026-12-01").content.decode()


def test_the_csv_makes_formula_looking_cells_inert(client, alice):
    evil = make_user("=HYPERLINK(1)")
    make_call(sid(1), owner=alice, dialed_by=evil)
    row = csv_rows(client)[1]
    assert row[8] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1 415", "'+1 415"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("ok", "ok"),
        (None, ""),
    ],
)
def test_safe_cell_prefixes_what_spreadsheets_would_run(value, cell):
    assert safe_cell(value) == cell


def test_the_csv_needs_signing_in(client):
    assert client.get(CSV).status_code == 302


def test_numbers_at_home_show_national_and_others_international(settings):
    settings.TWILIO_PHONE_NUMBER = "+14155550100"
    assert display_number("+14155551234") == "(415) 555-1234"
    assert display_number("+442071838750") == "+44 20 7183 8750"
    settings.TWILIO_PHONE_NUMBER = "+442071838750"
    assert display_number("+442071838751") == "020 7183 8751"


def test_what_is_not_a_number_is_shown_as_it_is():
    assert display_number("Sample: the tutorial") == "Sample: the tutorial"
    assert display_number("+1999") == "+1999"
    assert display_number(None) == ""


def test_the_call_page_shows_the_number_for_people(client, alice):
    call = make_call(sid(1), owner=alice, to="+442071838750")
    assert "Call to +44 20 7183 8750" in client.get(call.get_absolute_url()).content.decode()


def test_it_filters_by_direction(client, alice):
    make_call(sid(1), owner=alice)
    make_call(sid(2), owner=alice, direction="inbound", other_party="+14155550123", caller_name="ACME CORP")
    assert shown(client, "?direction=inbound") == [sid(2)]
    assert shown(client, "?direction=outbound-api") == [sid(1)]


def test_it_finds_an_inbound_call_by_the_callers_name_or_number(client, alice):
    make_call(sid(1), owner=alice)
    make_call(sid(2), owner=alice, direction="inbound", other_party="+14155550123", caller_name="ACME CORP")
    assert shown(client, "?q=acme") == [sid(2)]
    assert shown(client, "?q=0123") == [sid(2)]


def test_the_csv_has_each_calls_notes_inert_like_every_cell(client, alice):
    make_call(sid(1), owner=alice, notes="=1+1 then\na second line")
    rows = csv_rows(client)
    assert rows[0][10] == "Notes"
    assert rows[1][10] == "'=1+1 then\na second line"


def test_the_search_finds_a_call_by_its_notes_even_without_a_transcript(client, alice):
    make_call(sid(1), owner=alice, status="no-answer", notes="Left a voicemail about the renewal.")
    make_call(sid(2), owner=alice, status="completed")
    make_call(sid(3), owner=make_user("bob"), notes="Renewal talk, bob's call.")
    assert shown(client, "?q=renewal") == [sid(1)]
