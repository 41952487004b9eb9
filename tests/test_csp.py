"""A Content-Security-Policy on every page: self only, no inline code, never framed."""

import pytest

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def test_a_page_has_the_policy(staff_client):
    policy = directives(staff_client.get("/"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert (policy["object-src"], policy["base-uri"], policy["frame-ancestors"]) == ("'none'",) * 3
    assert policy["form-action"] == "'self'"


def test_the_login_page_has_the_policy(client):
    assert directives(client.get("/login/"))["default-src"] == "'self'"


def test_an_admin_page_has_the_policy(admin_client_logged):
    response = admin_client_logged.get("/admin/transcription/transcript/")
    assert response.status_code == 200
    assert directives(response)["script-src"] == "'self'"


def test_the_policy_allows_no_inline_code_and_no_other_origin(staff_client):
    header = staff_client.get("/")["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "http" not in header and "*" not in header
