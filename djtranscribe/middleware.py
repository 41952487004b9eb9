"""Middleware of the whole site."""

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
