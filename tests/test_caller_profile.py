"""The user's own phone number: the profile page, its checks, the home page's link, the admin inline."""

import pytest

from caller.models import CallerProfile
from tests.factories import make_profile, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann_client(client):
    client.force_login(make_user("ann", perms=["place_call"]))
    return client


def test_the_home_page_links_to_the_profile_page(ann_client):
    page = ann_client.get("/").content.decode()
    assert 'href="/profile/"' in page
    assert "Set your phone number" in page
    assert "Call them and connect me" in page


def test_a_user_stores_their_number_as_e164(ann_client):
    response = ann_client.post("/profile/", {"phone_number": "+1 (415) 555-2671"})
    assert response.status_code == 302
    assert CallerProfile.objects.get().phone_number == "+14155552671"
    assert "+1 415-555-2671" in ann_client.get("/").content.decode()


def test_an_invalid_number_is_refused_with_the_reason(ann_client):
    response = ann_client.post("/profile/", {"phone_number": "12345"})
    assert response.status_code == 400
    assert b"not a valid phone number" in response.content
    assert not CallerProfile.objects.exists()


def test_a_number_the_dial_policy_refuses_is_refused(ann_client):
    response = ann_client.post("/profile/", {"phone_number": "+19005551234"})
    assert response.status_code == 400
    assert b"premium-rate" in response.content
    response = ann_client.post("/profile/", {"phone_number": "+442071838750"})
    assert b"calls are allowed only to US" in response.content
    assert not CallerProfile.objects.exists()


def test_an_empty_number_clears_it(client):
    user = make_user("ann")
    make_profile(user)
    client.force_login(user)
    client.post("/profile/", {"phone_number": ""})
    assert CallerProfile.objects.get().phone_number == ""


def test_the_profile_page_needs_signing_in(client):
    assert client.get("/profile/")["Location"].startswith("/login/")


def test_an_admin_sets_a_users_number_on_the_users_admin_page(client):
    admin = make_user("root", superuser=True, password="pw-root-123")
    user = make_user("ann")
    client.force_login(admin)
    url = f"/admin/auth/user/{user.pk}/change/"
    page = client.get(url)
    assert b'name="caller_profile-0-phone_number"' in page.content
    form = {
        "username": "ann",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "caller_profile-TOTAL_FORMS": "1",
        "caller_profile-INITIAL_FORMS": "0",
        "caller_profile-MIN_NUM_FORMS": "0",
        "caller_profile-MAX_NUM_FORMS": "1",
        "caller_profile-0-phone_number": "+19005551234",
        "caller_profile-0-user": str(user.pk),
    }
    response = client.post(url, form)
    assert response.status_code == 200  # the form again, with the error
    assert b"premium-rate" in response.content
    form["caller_profile-0-phone_number"] = "+1 415 555 2671"
    assert client.post(url, form).status_code == 302
    assert CallerProfile.objects.get(user=user).phone_number == "+14155552671"
