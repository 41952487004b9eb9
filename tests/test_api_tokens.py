"""Personal API tokens: made on the API tokens page or by the command, shown once, stored hashed,
accepted as `Authorization: Bearer`, revoked, never logged, audited."""

import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from api.models import ApiToken
from api.tokens import TOKEN_RE, token_authenticate, token_create, token_hash
from audit.models import AuditAction, AuditEvent
from djtranscribe.lib.redaction import RedactSecrets, mask_tokens
from tests.api_helpers import api_client, token_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PAGE = "/api-tokens/"


@pytest.fixture
def alice():
    return make_user("alice", password="pw-alice-123")


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def test_a_token_is_stored_only_as_a_keyed_hash(alice):
    token, raw = token_create(user=alice, name="export")
    assert TOKEN_RE.match(raw)
    assert token.token_hash == token_hash(raw) and raw not in token.token_hash
    assert token.prefix == raw[:8]


def test_a_bearer_token_authenticates_as_its_user_and_records_its_use(alice):
    raw = token_for(alice)
    response = api_client(token=raw).get("/api/v1/transcripts/")
    assert response.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None


def test_no_token_is_a_401_problem_asking_for_a_bearer_token():
    response = Client().get("/api/v1/calls/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401 and response.json()["title"] == "Unauthorized"


@pytest.mark.parametrize("header", ["Bearer djt_" + "x" * 40, "Bearer nonsense", "Bearer a b", "Token abc"])
def test_a_wrong_token_is_401(header):
    response = Client(headers={"Authorization": header}).get("/api/v1/calls/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_revoked_token_no_longer_works(signed_in, alice):
    raw = token_for(alice)
    token = ApiToken.objects.get()
    assert signed_in.post(f"/api-tokens/{token.pk}/revoke/").status_code == 302
    assert api_client(token=raw).get("/api/v1/calls/").status_code == 401


def test_an_inactive_users_token_no_longer_works(alice):
    raw = token_for(alice)
    alice.is_active = False
    alice.save()
    assert token_authenticate(raw) is None
    assert api_client(token=raw).get("/api/v1/calls/").status_code == 401


def test_a_signed_in_session_alone_does_not_open_the_api(signed_in):
    assert signed_in.get("/api/v1/calls/").status_code == 401


def test_the_page_makes_a_token_and_shows_it_once(signed_in, alice):
    response = signed_in.post(PAGE, {"name": "nightly export"})
    assert response.status_code == 201
    raw = response.context["new_token"]
    assert TOKEN_RE.match(raw) and raw in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    again = signed_in.get(PAGE).content.decode()
    assert "nightly export" in again and raw not in again and raw[:8] in again
    assert api_client(token=raw).get("/api/v1/calls/").status_code == 200


def test_the_page_asks_for_a_name(signed_in):
    response = signed_in.post(PAGE, {"name": "  "})
    assert response.status_code == 400
    assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_page_lists_only_the_users_own_tokens(signed_in, alice):
    token_create(user=make_user("bob"), name="bobs-secret-script")
    token_create(user=alice, name="alices-script")
    html = signed_in.get(PAGE).content.decode()
    assert "alices-script" in html and "bobs-secret-script" not in html


def test_revoking_someone_elses_token_is_404_even_for_a_lead(client):
    bob = make_user("bob")
    token, raw = token_create(user=bob, name="bobs")
    lead = make_user("lena", perms=["view_all_calls"])
    client.force_login(lead)
    assert client.post(f"/api-tokens/{token.pk}/revoke/").status_code == 404
    assert api_client(token=raw).get("/api/v1/calls/").status_code == 200


def test_making_and_revoking_a_token_are_audited(signed_in, alice):
    signed_in.post(PAGE, {"name": "ci"})
    token = ApiToken.objects.get()
    signed_in.post(f"/api-tokens/{token.pk}/revoke/")
    signed_in.post(f"/api-tokens/{token.pk}/revoke/")  # a second revoke records nothing
    rows = list(AuditEvent.objects.filter(obj_kind="api_token").order_by("pk"))
    assert [(r.action, r.obj_id, r.username) for r in rows] == [
        (AuditAction.CREATED, str(token.pk), "alice"),
        (AuditAction.REVOKED, str(token.pk), "alice"),
    ]


def test_the_command_prints_a_new_token_once(alice):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "alice", "--name", "backup", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert TOKEN_RE.match(raw)
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.token_hash) == (alice, "backup", token_hash(raw))
    assert "not shown again" in err.getvalue() and raw not in err.getvalue()


def test_the_command_names_an_unknown_user():
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("create_api_token", "nobody")


def test_api_tokens_and_bearer_credentials_are_masked_in_logs(alice):
    raw = token_for(alice)
    assert raw not in mask_tokens(f"Authorization: Bearer {raw}")
    assert raw not in mask_tokens(f"failed with token {raw}.")
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "header was %s", (f"Bearer {raw}",), None)
    RedactSecrets().filter(record)
    assert raw not in record.getMessage() and "[token]" in record.getMessage()
