"""One error shape everywhere in the API: RFC 9457 problem details (`application/problem+json`).

`{"type", "title", "status", "detail"}`, and for invalid input `errors`: one entry per problem,
`{"field", "detail"}` (field "" for the request as a whole). DRF's own errors (401, 404, 405, 429...)
and the API's refusals all pass through `problem_handler`; `api_not_found`/`api_server_error` give
the same shape for URLs no view answers and for crashes.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler

PROBLEM = "application/problem+json"
API_PREFIX = "/api/"


class Problem(exceptions.APIException):
    """An API refusal with any status and a message saying what to do; headers (Retry-After) optional."""

    def __init__(self, detail: str, *, status: int, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status_code = status
        self.headers = headers or {}


def title_of(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(status: int, detail: str, **extra) -> dict:
    """A problem details body; `type` is about:blank, so `title` is the status's phrase (RFC 9457 4.2.1)."""
    return {"type": "about:blank", "title": title_of(status), "status": status, "detail": detail, **extra}


def _flatten(detail, field: str = "") -> list[dict]:
    """DRF's nested validation errors as a flat list of {field, detail}."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "detail") else f"{field}.{key}" if field else str(key)
            out += _flatten(value, name)
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            nested = isinstance(value, dict | list)
            out += _flatten(value, f"{field}[{index}]" if nested and field else field)
        return out
    return [{"field": field, "detail": str(detail)}]


def problem_handler(exc, context):
    """DRF's exception handler, answering problem details; anything else (a crash) stays a 500."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = "; ".join(f"{e['field']}: {e['detail']}" if e["field"] else e["detail"] for e in errors)
        response.data = problem(response.status_code, detail or "The request is not valid.", errors=errors)
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = problem(response.status_code, str(detail) or title_of(response.status_code))
    for name, value in getattr(exc, "headers", {}).items():
        response[name] = value
    response.content_type = PROBLEM
    return response


def problem_response(status: int, detail: str) -> JsonResponse:
    return JsonResponse(problem(status, detail), status=status, content_type=PROBLEM)


def api_not_found(request, exception=None):
    """handler404: problem details under /api/, Django's own page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return problem_response(404, "There is nothing at this URL: see /api/v1/docs/ for the API's URLs.")
    return defaults.page_not_found(request, exception)


def api_server_error(request):
    """handler500: problem details under /api/, Django's own page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return problem_response(500, "The server failed to answer this request; it has been logged.")
    return defaults.server_error(request)
