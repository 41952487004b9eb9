"""A Content-Security-Policy on every page: self only, no inline code, never framed."""

import re

import pytest
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from djtranscribe.middleware import ContentSecurityPolicy

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


# -- djtranscribe.middleware.ContentSecurityPolicy: the library's headers, built once -------------

REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-reports/"}}
EXCLUDING = {"DIRECTIVES": {"default-src": ["'self'"]}, "EXCLUDE_URL_PREFIXES": ["/excluded/"]}


def view_plain(request):
    return HttpResponse("page")


@csp_update({"img-src": ["data:"]})
def view_updating(request):
    return HttpResponse("page")


@csp_exempt()
def view_exempt(request):
    return HttpResponse("page")


def view_using_a_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


def view_setting_its_own(request):
    response = HttpResponse("page")
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def view_not_found(request):
    return HttpResponse("not found", status=404)


CASES = {
    "a plain page": (view_plain, "/", {}),
    "a view's csp_update": (view_updating, "/", {}),
    "csp_exempt": (view_exempt, "/", {}),
    "a nonce": (view_using_a_nonce, "/", {}),
    "a header the view set": (view_setting_its_own, "/", {}),
    "a report-only policy too": (view_plain, "/", {"CONTENT_SECURITY_POLICY_REPORT_ONLY": REPORT_ONLY}),
    "an excluded prefix": (view_plain, "/excluded/page/", {"CONTENT_SECURITY_POLICY": EXCLUDING}),
    "a 404 with DEBUG": (view_not_found, "/", {"DEBUG": True}),
    "a 404 without DEBUG": (view_not_found, "/", {"DEBUG": False}),
}
CSP_HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def headers_from(middleware_class, view, path) -> dict[str, str | None]:
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    response = middleware(request)
    headers = {name: response.get(name) for name in CSP_HEADERS}
    try:  # once the header is written, reading an unused nonce is an error (a nonce too late)
        str(request.csp_nonce)
        headers["nonce afterwards"] = "readable"
    except CSPNonceError:
        headers["nonce afterwards"] = "an error"
    return headers


@pytest.mark.parametrize(("view", "path", "changes"), CASES.values(), ids=CASES.keys())
def test_the_sites_middleware_writes_the_headers_django_csp_writes(view, path, changes):
    with override_settings(**changes):
        for _ in range(2):  # the second time from the cache
            ours = headers_from(ContentSecurityPolicy, view, path)
            theirs = headers_from(CSPMiddleware, view, path)
            if view is view_using_a_nonce:  # a new nonce each time: the same policy around it
                ours, theirs = (
                    {k: re.sub(r"nonce-[^']+", "nonce-N", v or "") for k, v in h.items()}
                    for h in (ours, theirs)
                )
            assert ours == theirs


def test_a_changed_setting_changes_the_cached_policy():
    before = headers_from(ContentSecurityPolicy, view_plain, "/")["Content-Security-Policy"]
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        changed = headers_from(ContentSecurityPolicy, view_plain, "/")["Content-Security-Policy"]
    after = headers_from(ContentSecurityPolicy, view_plain, "/")["Content-Security-Policy"]
    assert changed == "default-src 'none'"
    assert before == after != changed


def test_the_site_runs_its_own_csp_middleware(settings):
    assert "djtranscribe.middleware.ContentSecurityPolicy" in settings.MIDDLEWARE
    assert "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE
