"""Admin for calls and their recordings. What Twilio reported is read-only.

A call's page lists its recordings and links to its transcripts (by call SID:
the transcription app knows nothing of calls, but this app may know of it).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from audit.admin_mixins import AuditedAdmin
from djtranscribe.admin_filters import fixed_values
from transcription.presentation import short
from transcription.selectors import transcripts_visible_to

from . import notes as call_notes
from . import timezones
from .dial_policy import check_destination
from .models import Call, CallerProfile, ConsentRecord, Recording
from .phone import InvalidNumber, parse_number
from .selectors import calls_visible_to, recordings_visible_to

CALL_FIELDS = (
    "sid",
    "to",
    "from_number",
    "status",
    "duration",
    "direction",
    "other_party",
    "caller_name",
    "dialed_by",
    "owner",
    "created_at",
    "updated_at",
)
RECORDING_FIELDS = (
    "sid",
    "call",
    "call_sid",
    "owner",
    "account_sid",
    "status",
    "duration",
    "channels",
    "source",
    "error_code",
    "error",
    "started_at",
    "transcript_deleted_at",
    "created_at",
    "updated_at",
)


class ViewerMixin:
    """Remembers on the object who is looking, for display methods that list related rows
    (they get no request; the admin instance is shared between requests, the object is not)."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.viewer = request.user
        return obj


def transcripts_link(obj, **lookup) -> str:
    """Links to the admin pages of the transcripts matching `lookup` that obj's viewer may see, or '-'."""
    queryset = transcripts_visible_to(getattr(obj, "viewer", None)).filter(**lookup)
    rows = [
        (reverse("admin:transcription_transcript_change", args=[t.pk]), str(t), t.get_status_display())
        for t in queryset.only("pk", "job_id", "status")
    ]
    if not rows:
        return "-"
    return format_html_join("", '<div><a href="{}">{}</a> ({})</div>', rows)


class RecordingInline(admin.TabularInline):
    model = Recording
    fields = ("sid", "status", "duration", "channels", "source", "error_code", "started_at", "media_link")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return recordings_visible_to(request.user, super().get_queryset(request))

    @admin.display(description="media URL")
    def media_link(self, obj):
        return obj.media_url


class ConsentInline(admin.TabularInline):
    """Per party: the notice played, when, and what they answered (written by the TwiML callbacks)."""

    model = ConsentRecord
    fields = ("party", "notice", "mode", "played_at", "consented", "digits", "answered_at")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


class CallerProfileForm(forms.ModelForm):
    class Meta:
        model = CallerProfile
        fields = ("phone_number", "time_zone")

    def clean_time_zone(self):
        """An IANA zone name, or empty to follow the browser's zone."""
        name = self.cleaned_data["time_zone"].strip()
        if name and timezones.zone_or_none(name) is None:
            raise forms.ValidationError(f"{name!r} is not a time zone: use an IANA name, e.g. Europe/Paris.")
        return name

    def clean_phone_number(self):
        """Stored as E.164 when it parses and the dial policy allows it (Twilio will ring it)."""
        raw = self.cleaned_data["phone_number"]
        if not raw.strip():
            return ""
        try:
            number = parse_number(raw)
            check_destination(number)
        except InvalidNumber as exc:
            raise forms.ValidationError(str(exc)) from None
        return number.e164


class CallerProfileInline(admin.StackedInline):
    model = CallerProfile
    form = CallerProfileForm
    can_delete = False
    extra = 1
    max_num = 1


class CallAdminForm(forms.ModelForm):
    """The one field a person writes: the notes, checked as the call page checks them."""

    # No max_length here: clean_notes counts a browser's "\r\n" once, as the call page does.
    notes = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 6}))

    class Meta:
        model = Call
        fields = ("notes",)

    def clean_notes(self):
        try:
            return call_notes.clean_notes(self.cleaned_data["notes"])
        except call_notes.NotesError as exc:
            raise forms.ValidationError(str(exc)) from None


@admin.register(Call)
class CallAdmin(AuditedAdmin, ViewerMixin, admin.ModelAdmin):
    form = CallAdminForm
    list_display = (
        "sid",
        "to",
        "from_number",
        "direction",
        "status",
        "duration",
        "dialed_by",
        "short_notes",
        "created_at",
    )
    list_filter = ("status", "direction", "created_at")
    search_fields = (
        "sid",
        "to",
        "from_number",
        "other_party",
        "dialed_by__username",
        "recordings__sid",
        "notes",
    )
    list_select_related = ("dialed_by",)
    readonly_fields = (*CALL_FIELDS, "transcripts")
    # Everything Twilio reported is read-only; the notes are what the user wrote (change_call edits them).
    fields = (*CALL_FIELDS, "notes", "transcripts")
    inlines = (ConsentInline, RecordingInline)

    @admin.display(description="notes")
    def short_notes(self, obj):
        return short(obj.notes, 60) if obj.notes else "-"

    def get_queryset(self, request):
        return calls_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # calls are placed from /dial/, never typed in

    @admin.display(description="transcripts")
    def transcripts(self, obj):
        return transcripts_link(obj, call_sid=obj.sid)


RECORDING_SOURCES = [
    (value, value)
    for value in (
        "OutboundAPI",
        "DialVerb",
        "RecordVerb",
        "Conference",
        "Trunking",
        "StartCallRecordingAPI",
        "StartConferenceRecordingAPI",
    )
]


@admin.register(Recording)
class RecordingAdmin(AuditedAdmin, ViewerMixin, admin.ModelAdmin):
    list_display = ("sid", "call", "status", "duration", "short_error", "started_at", "created_at")
    # Twilio's RecordingSource values, named: listing them from the rows is a scan per page.
    list_filter = ("status", ("source", fixed_values(*RECORDING_SOURCES)), "created_at")
    search_fields = ("sid", "call_sid", "call__to")
    list_select_related = ("call",)
    readonly_fields = (*RECORDING_FIELDS, "media_link", "in_the_app", "transcripts")
    fields = readonly_fields

    def get_queryset(self, request):
        return recordings_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # Twilio makes recordings

    @admin.display(description="error")
    def short_error(self, obj):
        return short(" ".join(part for part in (obj.error_code, obj.error) if part))

    @admin.display(description="media URL")
    def media_link(self, obj):
        return obj.media_url

    @admin.display(description="in the app")
    def in_the_app(self, obj):
        """Listen through the app's media proxy, and open the call's page."""
        listen = format_html('<a href="{}">Listen</a>', reverse("recording-media", args=[obj.sid]))
        if obj.call_id is None:
            return listen
        call_page = reverse("call-detail", args=[obj.call_sid])
        return format_html('{} · <a href="{}">Call page</a>', listen, call_page)

    @admin.display(description="transcripts")
    def transcripts(self, obj):
        return transcripts_link(obj, recording_sid=obj.sid)


# The user's own phone number, edited on the user's admin page; checked like the profile page.
User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserWithPhoneAdmin(UserAdmin):
    inlines = (*UserAdmin.inlines, CallerProfileInline)
