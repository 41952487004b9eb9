"""The API's OpenAPI schema and its docs page: valid, complete, served by this app under the strict CSP."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tests.api_helpers import api_client
from tests.factories import make_user

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/v1/calls/", "get"),
    ("/api/v1/calls/", "post"),
    ("/api/v1/calls/{call_sid}/", "get"),
    ("/api/v1/calls/{call_sid}/", "patch"),
    ("/api/v1/recordings/", "get"),
    ("/api/v1/recordings/{recording_sid}/", "get"),
    ("/api/v1/transcripts/", "get"),
    ("/api/v1/transcripts/", "post"),
    ("/api/v1/transcripts/{id}/", "get"),
    ("/api/v1/transcripts/{id}/", "delete"),
    ("/api/v1/transcripts/{id}/exports/{kind}/", "get"),
    ("/api/v1/transcripts/{id}/revisions/", "get"),
    ("/api/v1/transcripts/{id}/revisions/", "post"),
    ("/api/v1/webhook-endpoints/", "get"),
    ("/api/v1/webhook-endpoints/", "post"),
    ("/api/v1/webhook-endpoints/{endpoint_id}/", "get"),
    ("/api/v1/webhook-endpoints/{endpoint_id}/", "put"),
    ("/api/v1/webhook-endpoints/{endpoint_id}/", "patch"),
    ("/api/v1/webhook-endpoints/{endpoint_id}/", "delete"),
    ("/api/v1/webhook-endpoints/{endpoint_id}/test/", "post"),
    ("/api/v1/webhook-endpoints/{endpoint_id}/deliveries/", "get"),
    ("/api/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay/", "post"),
}


@pytest.fixture
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_is_valid_openapi_3(schema):
    validate_schema(schema)


def test_the_schema_describes_every_operation_and_nothing_else(schema):
    found = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert found == OPERATIONS


def test_every_operation_needs_a_bearer_token_and_answers_problem_details(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation["security"] == [{"bearerAuth": []}], (path, method)
            for status in ("401", "404", "429", "default"):
                assert "application/problem+json" in operation["responses"][status]["content"], (path, method)


def test_the_schema_is_served_as_json_to_a_token():
    response = api_client(make_user("alice")).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "djtranscribe API"


def test_the_schema_is_served_to_a_signed_in_user_and_not_to_nobody(client):
    assert Client().get("/api/v1/schema/").status_code == 401
    client.force_login(make_user("alice"))
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200 and response.content.startswith(b"openapi: 3")


def test_the_docs_page_sends_nobody_to_sign_in():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_docs_page_loads_swagger_ui_from_this_app_with_no_inline_code(client):
    client.force_login(make_user("alice"))
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html and "style=" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(src.startswith("/") for src in sources), sources  # no CDN: everything from this app
    assert any("swagger-ui-bundle.js" in src for src in sources)
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    policy = {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"], header
    # The one exception, this page only: Swagger UI's icons are data: SVG images.
    assert sorted(policy["img-src"]) == ["'self'", "data:"], header
    assert "data:" not in client.get("/api-tokens/")["Content-Security-Policy"]


def test_the_docs_start_up_script_is_a_file_pointing_at_the_schema(client):
    client.force_login(make_user("alice"))
    response = client.get("/api/v1/docs/", {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in response.content.decode()


def test_swagger_ui_files_are_static_files_of_the_app(client):
    client.force_login(make_user("alice"))
    html = client.get("/api/v1/docs/").content.decode()
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        url = re.search(rf'(?:src|href)="([^"]*{re.escape(name)})"', html)[1]
        assert url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL)
        assert finders.find(url.split(settings.STATIC_URL, 1)[1]), url  # collectstatic ships it
