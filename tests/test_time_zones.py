"""Times in the user's zone: the profile's choice wins, else the browser's (the `tz` cookie), else
TIME_ZONE; every name is checked against the IANA database before it is used."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from caller.models import Call, CallerProfile
from caller.timezones import InvalidTimeZone, profile_time_zone_set, zone_for, zone_names, zone_or_none
from tests.factories import make_call, make_user

pytestmark = pytest.mark.django_db

CALL_SID = "CA" + "5" * 32
# 23:30 UTC on 5 December: already 6 December in Tokyo (+9), still the 5th in Paris (+1).
PLACED = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)


@pytest.fixture
def ann(client):
    user = make_user("ann", perms=["view_all_calls"])
    client.force_login(user)
    make_call(CALL_SID, status="completed", dialed_by=user, owner=user)
    Call.objects.filter(sid=CALL_SID).update(created_at=PLACED)
    return user


def call_log(client) -> str:
    return client.get("/calls/").content.decode()


# -- choosing the zone -------------------------------------------------------------


def test_the_profiles_zone_wins_over_the_browsers():
    assert zone_for(profile_zone="Europe/Paris", browser_zone="Asia/Tokyo") == ZoneInfo("Europe/Paris")


def test_without_a_profile_zone_the_browsers_is_used():
    assert zone_for(profile_zone="", browser_zone="Asia/Tokyo") == ZoneInfo("Asia/Tokyo")


def test_with_neither_the_sites_time_zone_is_used():
    assert zone_for(profile_zone="", browser_zone="") is None


@pytest.mark.parametrize(
    "name",
    ["Mars/Olympus_Mons", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "Europe/Paris\x00", "A" * 300, ""],
)
def test_a_name_outside_the_iana_database_is_no_zone(name):
    assert zone_or_none(name) is None


def test_the_choices_are_the_iana_zones_sorted():
    names = zone_names()
    assert "Europe/Paris" in names and "America/New_York" in names
    assert list(names) == sorted(names)


# -- pages in the zone -------------------------------------------------------------


def test_times_follow_the_browsers_zone_from_its_cookie(client, ann):
    client.cookies["tz"] = "Asia/Tokyo"
    page = call_log(client)
    assert "2026-12-06 08:30" in page
    assert 'id="shown-zone">Asia/Tokyo</a>' in page


def test_the_profiles_zone_wins_over_the_browsers_cookie(client, ann):
    CallerProfile.objects.create(user=ann, time_zone="Europe/Paris")
    client.cookies["tz"] = "Asia/Tokyo"
    assert "2026-12-06 00:30" in call_log(client)


def test_a_forged_cookie_is_ignored_and_times_stay_in_utc(client, ann):
    client.cookies["tz"] = "../../../etc/passwd"
    page = call_log(client)
    assert "2026-12-05 23:30" in page
    assert 'id="shown-zone">UTC</a>' in page


def test_a_date_filter_reads_days_in_the_users_zone(client, ann):
    client.cookies["tz"] = "Asia/Tokyo"
    assert CALL_SID in client.get("/calls/?since=2026-12-06").content.decode()
    assert CALL_SID not in client.get("/calls/?until=2026-12-05").content.decode()


def test_the_call_page_names_its_zone(client, ann):
    client.cookies["tz"] = "Europe/Paris"
    page = client.get(f"/calls/{CALL_SID}/").content.decode()
    assert "2026-12-06 00:30:00 CET" in page


def test_a_signed_out_request_with_a_zone_cookie_still_works(client):
    client.cookies["tz"] = "Asia/Tokyo"
    assert client.get("/login/").status_code == 200


# -- the profile setting -----------------------------------------------------------


def test_a_user_picks_a_zone_on_the_profile_page(client, ann):
    response = client.post("/profile/", {"time_zone": "America/New_York"})
    assert response.status_code == 302
    assert CallerProfile.objects.get(user=ann).time_zone == "America/New_York"
    assert "2026-12-05 18:30" in call_log(client)


def test_the_profile_page_offers_the_browsers_zone_by_default(client, ann):
    client.cookies["tz"] = "Asia/Tokyo"
    page = client.get("/profile/").content.decode()
    assert '<option value="" selected>My browser\'s time zone (Asia/Tokyo)</option>' in page
    assert "<option>Europe/Paris</option>" in page


def test_an_unknown_zone_is_refused_with_what_to_pick(client, ann):
    response = client.post("/profile/", {"time_zone": "Europe/Atlantis"})
    assert response.status_code == 400
    assert "is not a time zone: pick one from the list" in response.content.decode()
    assert not CallerProfile.objects.exists()


def test_choosing_the_browsers_zone_again_clears_the_profiles(client, ann):
    CallerProfile.objects.create(user=ann, time_zone="Europe/Paris", phone_number="+14155552671")
    client.post("/profile/", {"time_zone": ""})
    profile = CallerProfile.objects.get(user=ann)
    assert (profile.time_zone, profile.phone_number) == ("", "+14155552671")


def test_saving_the_phone_number_keeps_the_zone(client, ann):
    CallerProfile.objects.create(user=ann, time_zone="Europe/Paris")
    client.post("/profile/", {"phone_number": "+1 415 555 2671"})
    assert CallerProfile.objects.get(user=ann).time_zone == "Europe/Paris"


def test_the_service_refuses_a_name_that_is_not_a_zone():
    with pytest.raises(InvalidTimeZone, match="not a time zone"):
        profile_time_zone_set(user=make_user("bob"), time_zone="UTC+3")


def test_an_admin_sets_a_users_zone_and_a_bad_one_is_refused(client):
    admin = make_user("root", superuser=True, password="pw-root-123")
    user = make_user("bob")
    client.force_login(admin)
    url = f"/admin/auth/user/{user.pk}/change/"
    form = {
        "username": "bob",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "caller_profile-TOTAL_FORMS": "1",
        "caller_profile-INITIAL_FORMS": "0",
        "caller_profile-MIN_NUM_FORMS": "0",
        "caller_profile-MAX_NUM_FORMS": "1",
        "caller_profile-0-phone_number": "",
        "caller_profile-0-time_zone": "Nowhere/Special",
        "caller_profile-0-user": str(user.pk),
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert b"is not a time zone" in response.content
    form["caller_profile-0-time_zone"] = "Europe/Paris"
    assert client.post(url, form).status_code == 302
    assert CallerProfile.objects.get(user=user).time_zone == "Europe/Paris"
