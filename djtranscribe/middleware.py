"""Middleware of the whole site."""

from http import HTTPStatus

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse

API_PREFIX = "/api/"  # the REST API's mount point (djtranscribe/urls.py includes api.urls there)


class RefuseNulCharacters:
    """400 for a page (GET/HEAD) whose URL or query string carries a NUL character.

    PostgreSQL refuses NUL in text, so such a value (`?q=%00`, `/calls/%00/`, an admin search)
    could only end as a 500 deep in a query; SQLite takes it, so both backends now answer alike.
    Webhooks (POST) check their own input: AssemblyAI's must answer 200 to whatever it sends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            message = "NUL characters are not allowed in URLs: remove them and try again."
            if request.path.startswith(API_PREFIX):
                # The REST API answers every error as RFC 9457 problem details (api/errors.py).
                body = {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": message}
                return JsonResponse(body, status=400, content_type="application/problem+json")
            return HttpResponse(message + "\n", status=400, content_type="text/plain")
        return self.get_response(request)


# The site's Content-Security-Policy headers as django-csp builds them from the settings alone,
# by report_only: the same two strings for every response that has no policy of its own.
_SETTINGS_POLICIES: dict[bool, str] = {}
# What a view's csp_update/csp_replace/csp decorators leave on its response.
_VIEW_POLICY_ATTRIBUTES = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace") for suffix in ("", "_ro")
)


@receiver(setting_changed)
def _forget_the_policies(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _SETTINGS_POLICIES.clear()


def _settings_policy(report_only: bool) -> str:
    if report_only not in _SETTINGS_POLICIES:
        _SETTINGS_POLICIES[report_only] = build_policy(report_only=report_only)
    return _SETTINGS_POLICIES[report_only]


class ContentSecurityPolicy(CSPMiddleware):
    """django-csp's middleware, with the site's policy built once rather than twice per response.

    The library builds both headers from the settings on every response: a fifth of a bare
    view's time (bench part 1, in Django alone). A response with a policy of its own (a view's
    csp_update, csp_replace or csp decorator) or a nonce that was used goes through the library
    unchanged; the rest get the same headers from the cache (tests/test_csp.py compares them
    with the library's, case by case).
    """

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _VIEW_POLICY_ATTRIBUTES
        ):
            return super().process_response(request, response)
        if (
            response.status_code in (HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.NOT_FOUND)
            and settings.DEBUG
        ):
            return response  # Django's debug pages, as the library leaves them
        for header, report_only, exempt in (
            (HEADER, False, "_csp_exempt"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro"),
        ):
            policy = _settings_policy(report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            setting = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
            excluded = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            if not request.path_info.startswith(excluded):
                response[header] = policy
        # As the library: once the header is written, reading request.csp_nonce is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
