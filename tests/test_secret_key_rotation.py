"""Rotating SECRET_KEY (the old key in SECRET_KEY_FALLBACKS) keeps what was made under the old one.

Sessions (Django's own), share links, API tokens and the secret header of webhooks for jobs
submitted before the rotation; links and tokens are re-keyed when used. Without the fallback, all
of them end: that is what rotating without one is for (a leaked key).
"""

import pytest
from django.test import Client, RequestFactory

from api.tokens import token_authenticate, token_create
from djtranscribe.lib.redaction import redact
from sharing.models import ShareLink
from sharing.services import share_create, share_find, token_hash
from tests.factories import make_transcript, make_user
from transcription.webhook_auth import header_value_for, is_authentic

pytestmark = pytest.mark.django_db

OLD = "the-old-secret-key-" + "o" * 40
NEW = "the-new-secret-key-" + "n" * 40


@pytest.fixture
def old_key(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    return settings


def rotate(settings, *, keep_the_old_one: bool) -> None:
    settings.SECRET_KEY = NEW
    settings.SECRET_KEY_FALLBACKS = [OLD] if keep_the_old_one else []


def a_share_link(owner):
    request = RequestFactory().post("/")
    request.user = owner
    transcript = make_transcript(owner=owner, completed=True)
    return share_create(request=request, transcript=transcript, lifetime="1d", include_audio=False)


def test_a_share_link_made_before_the_rotation_opens_and_is_rekeyed(old_key):
    link, token = a_share_link(make_user("owner"))
    rotate(old_key, keep_the_old_one=True)
    assert share_find(token) == link
    assert ShareLink.objects.get(pk=link.pk).token_hash == token_hash(token)  # the new key's now
    old_key.SECRET_KEY_FALLBACKS = []  # once used, it outlives the fallback
    assert share_find(token) == link


def test_without_the_fallback_a_share_link_made_under_the_old_key_is_gone(old_key):
    link, token = a_share_link(make_user("owner"))
    rotate(old_key, keep_the_old_one=False)
    assert share_find(token) is None
    assert ShareLink.objects.get(pk=link.pk).token_hash == link.token_hash  # nothing rewritten


def test_an_api_token_made_before_the_rotation_works_and_is_rekeyed(old_key):
    token, raw = token_create(user=make_user("script"), name="nightly export")
    stored_before = token.token_hash
    rotate(old_key, keep_the_old_one=True)
    assert token_authenticate(raw) == token
    token.refresh_from_db()
    assert token.token_hash != stored_before
    old_key.SECRET_KEY_FALLBACKS = []
    assert token_authenticate(raw) == token


def test_without_the_fallback_an_api_token_made_under_the_old_key_is_refused(old_key):
    _, raw = token_create(user=make_user("script"), name="nightly export")
    rotate(old_key, keep_the_old_one=False)
    assert token_authenticate(raw) is None


def test_a_webhook_for_a_job_submitted_before_the_rotation_is_still_authentic(old_key):
    old_key.ASSEMBLYAI_WEBHOOK_SECRET = ""  # derived per transcript from SECRET_KEY
    sent_with_the_job = header_value_for("tok3n")
    rotate(old_key, keep_the_old_one=True)
    assert is_authentic("tok3n", sent_with_the_job)
    assert is_authentic("tok3n", header_value_for("tok3n"))  # jobs submitted from now on
    assert header_value_for("tok3n") != sent_with_the_job
    assert not is_authentic("an0ther", sent_with_the_job)
    rotate(old_key, keep_the_old_one=False)
    assert not is_authentic("tok3n", sent_with_the_job)


def test_a_configured_webhook_secret_is_the_only_value_accepted(old_key):
    old_key.ASSEMBLYAI_WEBHOOK_SECRET = "configured-webhook-secret"
    rotate(old_key, keep_the_old_one=True)
    assert is_authentic("tok3n", "configured-webhook-secret")
    old_key.ASSEMBLYAI_WEBHOOK_SECRET = ""
    derived_under_the_old_key = header_value_for("tok3n", key=OLD)
    old_key.ASSEMBLYAI_WEBHOOK_SECRET = "configured-webhook-secret"
    assert not is_authentic("tok3n", derived_under_the_old_key)


@pytest.mark.parametrize("keep_the_old_one", [True, False])
def test_a_session_outlives_the_rotation_only_with_the_fallback(old_key, keep_the_old_one):
    client = Client()
    client.force_login(make_user("ann"))
    assert client.get("/").status_code == 200
    rotate(old_key, keep_the_old_one=keep_the_old_one)
    response = client.get("/")
    assert response.status_code == (200 if keep_the_old_one else 302)


def test_an_earlier_key_never_shows_in_a_log_or_an_error(old_key):
    rotate(old_key, keep_the_old_one=True)
    assert OLD not in redact(f"settings were {OLD} and {NEW}")
    assert NEW not in redact(f"settings were {OLD} and {NEW}")
