"""One error shape everywhere in the API: RFC 9457 problem details, whatever went wrong."""

import pytest
from django.test import Client, RequestFactory

from api.errors import api_server_error
from tests.api_helpers import api_client
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def client_with_token():
    return api_client(make_user("alice"))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "about:blank" and body["status"] == status and body["title"] and body["detail"]
    return body


def test_a_url_no_view_answers_is_a_404_problem_under_the_api(client_with_token):
    body = assert_problem(client_with_token.get("/api/v1/no-such-thing/"), 404)
    assert "/api/v1/docs/" in body["detail"]


def test_a_url_outside_the_api_keeps_the_sites_own_404_page(client):
    client.force_login(make_user("bob"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "html" in response["Content-Type"]


def test_a_method_not_allowed_is_a_405_problem(client_with_token):
    body = assert_problem(client_with_token.put("/api/v1/calls/"), 405)
    assert "PUT" in body["detail"]


def test_an_accept_header_the_api_cannot_answer_is_a_406_problem(client_with_token):
    assert_problem(client_with_token.get("/api/v1/calls/", headers={"Accept": "text/html"}), 406)


def test_a_body_of_an_unknown_type_is_a_415_problem(client_with_token):
    response = client_with_token.post("/api/v1/transcripts/", "x=1", content_type="text/csv")
    assert_problem(response, 415)


def test_malformed_json_is_a_400_problem(client_with_token):
    response = client_with_token.post("/api/v1/transcripts/", "{not json", content_type="application/json")
    assert_problem(response, 400)


def test_a_crash_under_the_api_is_a_500_problem_without_details():
    request = RequestFactory().get("/api/v1/calls/")
    response = api_server_error(request)
    assert response.status_code == 500 and response["Content-Type"] == PROBLEM
    assert "Traceback" not in response.content.decode()


def test_nobody_gets_a_401_problem_with_the_bearer_challenge():
    body = assert_problem(Client().get("/api/v1/transcripts/"), 401)
    assert "credentials" in body["detail"].lower()


def test_a_nul_character_in_an_api_url_is_a_400_problem(client_with_token):
    body = assert_problem(client_with_token.get("/api/v1/transcripts/", {"q": "a\x00b"}), 400)
    assert "NUL" in body["detail"]
