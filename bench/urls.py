"""The app's URLs plus a bare ceiling view to compare the endpoints with."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from djtranscribe.urls import urlpatterns as app_urlpatterns

CEILING_BODY = b"ok\n"


@login_not_required  # like the webhooks it is compared with
def ceiling(request):
    """The fastest answer this stack can give: a constant, through the same middleware."""
    return HttpResponse(CEILING_BODY, content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling, name="bench-ceiling"), *app_urlpatterns]
