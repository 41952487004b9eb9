"""The app's URLs plus a bare ceiling view, and a minimal Transcript admin if the app has none yet."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path

from transcription.models import Transcript

if not admin.site.is_registered(Transcript):
    # Stand-in until issue 2's admin is merged: the scale bench needs a changelist with a search.
    @admin.register(Transcript)
    class BenchTranscriptAdmin(admin.ModelAdmin):
        list_display = ("__str__", "status", "recording_sid", "created_at")
        list_filter = ("status",)
        search_fields = ("job_id", "recording_sid", "call_sid", "text")


from djtranscribe.urls import urlpatterns as app_urlpatterns  # noqa: E402  (after the admin is registered)

CEILING_BODY = b"ok\n"


def ceiling(request):
    """The fastest answer this stack can give: a constant, through the same middleware."""
    return HttpResponse(CEILING_BODY, content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling, name="bench-ceiling"), *app_urlpatterns]
