"""Dialing safely: who may dial, which numbers, how often, and for how long."""

from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ImproperlyConfigured

from caller import services
from caller.dial_policy import DialRateLimited, DialRefused, allowed_countries, parse_rate
from caller.models import Call
from caller.phone import InvalidNumber
from tests.factories import make_call, make_user
from tests.fakes import ACCOUNT, CALLS_URL

pytestmark = pytest.mark.django_db


def sid(n: int) -> str:
    return f"CA{n:032x}"


def mock_call_created(mocked_http, n: int = 1, to: str = "+14155551234"):
    mocked_http.post(
        CALLS_URL,
        json={"sid": sid(n), "to": to, "from": "+15005550006", "status": "queued", "account_sid": ACCOUNT},
        status=201,
    )


def make_calls(user, count: int, *, ago: timedelta = timedelta(minutes=1)):
    for n in range(count):
        make_call(sid(1000 + n), dialed_by=user, created_ago=ago)


# -- who may dial ---------------------------------------------------------------


def test_dial_refuses_a_staff_user_without_the_place_call_permission(client, mocked_http):
    user = make_user("clerk", email="c@example.com", password="pw-clerk-123", staff=True)
    client.force_login(user)
    assert client.get("/dial/14155551234/").status_code == 403
    assert client.post("/dial/14155551234/").status_code == 403
    assert len(mocked_http.calls) == 0
    assert Call.objects.count() == 0


# -- where ----------------------------------------------------------------------------


def test_allowed_countries_default_to_the_region_of_the_twilio_number(settings):
    settings.DIAL_ALLOWED_COUNTRIES = []
    settings.TWILIO_PHONE_NUMBER = "+442071838750"
    assert allowed_countries() == {"GB"}


def test_allowed_countries_default_to_the_us_for_twilios_test_number(settings):
    settings.DIAL_ALLOWED_COUNTRIES = []
    assert allowed_countries() == {"US"}


def test_dial_refuses_a_country_outside_the_allowed_ones_naming_the_setting(staff_client, mocked_http):
    # Jamaica shares the +1 country code with the US: a classic toll-fraud destination.
    response = staff_client.post("/dial/18765550123/")
    assert response.status_code == 403
    assert b"DIAL_ALLOWED_COUNTRIES" in response.content
    assert b"JM" in response.content
    assert len(mocked_http.calls) == 0
    assert Call.objects.count() == 0


def test_dial_get_already_says_a_country_is_refused_and_shows_no_button(staff_client, mocked_http):
    response = staff_client.get("/dial/442071838750/")
    assert response.status_code == 403
    assert b"DIAL_ALLOWED_COUNTRIES" in response.content
    assert b">Call +" not in response.content
    assert len(mocked_http.calls) == 0


def test_dial_calls_a_country_once_it_is_allowed(staff_client, settings, mocked_http):
    settings.DIAL_ALLOWED_COUNTRIES = ["US", "GB"]
    mock_call_created(mocked_http, to="+442071838750")
    response = staff_client.post("/dial/442071838750/")
    assert response.status_code == 200
    assert parse_qs(mocked_http.calls[0].request.body)["To"] == ["+442071838750"]


def test_a_star_allows_every_country(staff_client, settings, mocked_http):
    settings.DIAL_ALLOWED_COUNTRIES = ["*"]
    mock_call_created(mocked_http, to="+4930123456")
    assert staff_client.post("/dial/4930123456/").status_code == 200


# -- what kind of number -------------------------------------------------------------


@pytest.mark.parametrize(
    "digits, kind",
    [
        ("19005550123", b"premium-rate"),
        ("448712345678", b"premium-rate"),
        ("445512345678", b"universal access"),
        ("447012345678", b"personal"),
    ],
)
def test_dial_refuses_high_cost_number_types(staff_client, settings, mocked_http, digits, kind):
    settings.DIAL_ALLOWED_COUNTRIES = ["US", "GB"]
    response = staff_client.post(f"/dial/{digits}/")
    assert response.status_code == 403
    assert kind in response.content
    assert len(mocked_http.calls) == 0
    assert Call.objects.count() == 0


def test_a_refusal_is_an_invalid_number_so_forms_show_its_message(settings):
    with pytest.raises(InvalidNumber, match="premium-rate"):
        services.call_place(number="+19005550123")


# -- how often ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [("10/hour", (10, 3600)), ("3/m", (3, 60)), ("50 / day", (50, 86400)), ("5/10minutes", (5, 600))],
)
def test_parse_rate_reads_calls_per_period(text, expected):
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["off", "", "0/hour"])
def test_parse_rate_turns_the_limit_off(text):
    assert parse_rate(text) is None


def test_parse_rate_names_the_setting_when_it_is_malformed():
    with pytest.raises(ImproperlyConfigured, match="DIAL_RATE_LIMIT='ten a day'"):
        parse_rate("ten a day")


def test_dial_refuses_with_429_once_the_users_rate_limit_is_reached(
    staff_client, staff_user, settings, mocked_http
):
    settings.DIAL_RATE_LIMIT = "3/hour"
    make_calls(staff_user, 3, ago=timedelta(minutes=20))
    response = staff_client.post("/dial/14155551234/")
    assert response.status_code == 429
    assert b"3 calls in the last 1 hour" in response.content
    assert b"DIAL_RATE_LIMIT=3/hour" in response.content
    assert b"Try again in 40 minutes" in response.content
    assert 2390 <= int(response["Retry-After"]) <= 2400
    assert len(mocked_http.calls) == 0
    assert Call.objects.count() == 3


def test_the_rate_limit_counts_only_calls_inside_the_window(staff_client, staff_user, settings, mocked_http):
    settings.DIAL_RATE_LIMIT = "3/hour"
    make_calls(staff_user, 3, ago=timedelta(minutes=61))
    mock_call_created(mocked_http)
    assert staff_client.post("/dial/14155551234/").status_code == 200


def test_the_rate_limit_counts_each_user_on_their_own(staff_client, settings, mocked_http):
    settings.DIAL_RATE_LIMIT = "3/hour"
    make_calls(make_user("other"), 5)
    mock_call_created(mocked_http)
    assert staff_client.post("/dial/14155551234/").status_code == 200


def test_the_rate_limit_counts_calls_placed_through_the_service(staff_user, settings, mocked_http):
    settings.DIAL_RATE_LIMIT = "2/day"
    for n in (1, 2):
        mock_call_created(mocked_http, n)
        services.call_place(number="+14155551234", user=staff_user)
        mocked_http.reset()
    with pytest.raises(DialRateLimited, match="2 calls in the last 1 day"):
        services.call_place(number="+14155551234", user=staff_user)
    assert Call.objects.filter(dialed_by=staff_user).count() == 2


def test_an_off_rate_limit_lets_calls_through(staff_client, staff_user, settings, mocked_http):
    settings.DIAL_RATE_LIMIT = "off"
    make_calls(staff_user, 20)
    mock_call_created(mocked_http)
    assert staff_client.post("/dial/14155551234/").status_code == 200


def test_a_rate_limited_refusal_is_a_dial_refusal():
    assert issubclass(DialRateLimited, DialRefused)
    assert (DialRefused.status, DialRateLimited.status) == (403, 429)


# -- how long ---------------------------------------------------------------------------


def test_calls_carry_the_time_limit_and_ring_timeout_from_settings(staff_client, settings, mocked_http):
    settings.DIAL_TIME_LIMIT = 900
    settings.DIAL_RING_TIMEOUT = 25
    mock_call_created(mocked_http)
    assert staff_client.post("/dial/14155551234/").status_code == 200
    body = parse_qs(mocked_http.calls[0].request.body)
    assert body["TimeLimit"] == ["900"]
    assert body["Timeout"] == ["25"]


def test_calls_default_to_an_hour_and_thirty_seconds_of_ringing(staff_client, mocked_http):
    mock_call_created(mocked_http)
    staff_client.post("/dial/14155551234/")
    body = parse_qs(mocked_http.calls[0].request.body)
    assert (body["TimeLimit"], body["Timeout"]) == (["3600"], ["30"])


def test_check_reports_a_malformed_rate_limit_before_anyone_dials(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.DIAL_RATE_LIMIT = "lots"
    with pytest.raises(SystemCheckError, match="caller.E001.*DIAL_RATE_LIMIT='lots'"):
        call_command("check")


def test_check_reports_a_time_limit_that_is_not_positive(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.DIAL_TIME_LIMIT = 0
    with pytest.raises(SystemCheckError, match="DIAL_TIME_LIMIT must be a positive"):
        call_command("check")


def test_the_home_dial_form_answers_429_once_the_users_rate_limit_is_reached(
    staff_client, staff_user, settings, mocked_http
):
    settings.DIAL_RATE_LIMIT = "3/hour"
    make_calls(staff_user, 3, ago=timedelta(minutes=20))
    response = staff_client.post("/", {"number": "+14155551234"})
    assert response.status_code == 429
    assert b"DIAL_RATE_LIMIT=3/hour" in response.content
    assert len(mocked_http.calls) == 0


def test_the_home_dial_form_answers_403_for_a_country_that_is_not_allowed(staff_client, mocked_http):
    response = staff_client.post("/", {"number": "+442079460123"})
    assert response.status_code == 403
    assert b"DIAL_ALLOWED_COUNTRIES" in response.content
    assert len(mocked_http.calls) == 0
