"""Pages for people who place and review calls: home (dial form + recent calls) and a call's page."""

import logging
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, Subquery
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AuditAction
from audit.services import audit_record
from djtranscribe import access
from djtranscribe.lib.tasks import inbox_backlog
from transcription import assemblyai_client
from transcription.models import Transcript
from transcription.presentation import status_payload
from transcription.reading import talk_summary
from transcription.selectors import transcripts_visible_to

from . import conversation, dial_errors, retention, selectors
from . import notes as call_notes
from .audio import audio_withheld
from .media import player_url
from .models import CALL_STATUS_RANK, NOTES_MAX_CHARS, Call, CallStatus, Recording
from .phone import InvalidNumber, parse_number
from .twilio_client import missing_settings

logger = logging.getLogger(__name__)

RECENT_CALLS = 20
# After a call ends, its recording and transcript arrive within minutes: keep the home page
# following it that long, then stop (a call that was never answered has nothing to wait for).
FOLLOW_AFTER_CALL = timedelta(minutes=10)
CALL_FINAL_RANK = CALL_STATUS_RANK[CallStatus.COMPLETED]


class DialForm(forms.Form):
    number = forms.CharField(
        label="Number to call",
        max_length=32,
        widget=forms.TextInput(
            attrs={"placeholder": "+1 415 555 1234", "autocomplete": "tel", "inputmode": "tel"}
        ),
    )

    sensitive = forms.BooleanField(label="Sensitive: redact personal details", required=False)

    def clean_number(self):
        try:
            return parse_number(self.cleaned_data["number"])
        except InvalidNumber as exc:
            raise forms.ValidationError(str(exc)) from None


def transcripts_by_call(user, call_sids: list[str]) -> dict[str, list[Transcript]]:
    """The transcripts of these calls that `user` may see, found by call SID or by one of their
    recordings' SIDs. One query whatever the number of calls.
    """
    recording_call = Recording.objects.filter(sid=OuterRef("recording_sid")).values("call_sid")[:1]
    transcripts = (
        transcripts_visible_to(user)
        .filter(
            Q(call_sid__in=call_sids)
            | Q(recording_sid__in=Recording.objects.filter(call_sid__in=call_sids).values("sid"))
        )
        .annotate(recording_call_sid=Subquery(recording_call))
        .only("pk", "status", "call_sid", "recording_sid", "created_at")
        .order_by("created_at")
    )
    found: dict[str, list[Transcript]] = {}
    for transcript in transcripts:
        found.setdefault(transcript.call_sid or transcript.recording_call_sid, []).append(transcript)
    return found


def call_is_settled(call: Call, transcripts: list[Transcript], now) -> bool:
    """True when nothing more is expected for this call, so the home page can stop asking."""
    if CALL_STATUS_RANK.get(call.status, 0) < CALL_FINAL_RANK:
        return False
    if any(not t.is_final for t in transcripts):
        return False
    if not transcripts and call.status == CallStatus.COMPLETED:
        return now - call.updated_at > FOLLOW_AFTER_CALL
    return True


def _call_rows(user, calls: list[Call]) -> list[dict]:
    transcripts = transcripts_by_call(user, [call.sid for call in calls])
    now = timezone.now()
    return [
        {
            "call": call,
            "transcripts": transcripts.get(call.sid, []),
            "settled": call_is_settled(call, transcripts.get(call.sid, []), now),
        }
        for call in calls
    ]


def _place_call(request, form: DialForm) -> int | None:
    """Place the call from a valid form; on failure put the message on the form and answer a status.

    The second button ("Call them and connect me", how=connect) has Twilio call the user first.
    """
    number = form.cleaned_data["number"]
    connect = request.POST.get("how") == "connect"
    try:
        call = conversation.call_place_or_connect(number=number.e164, user=request.user, connect=connect)
    except dial_errors.DIAL_ERRORS as exc:
        # A bad or refused number belongs to the field; a settings or Twilio failure to the form.
        if dial_errors.is_twilio_failure(exc):
            logger.warning("Dialing %s failed: %s", number.e164, exc)
        on_field = isinstance(exc, InvalidNumber) and not isinstance(exc, conversation.NoOwnNumber)
        form.add_error("number" if on_field else None, str(exc))
        return dial_errors.http_status(exc)
    if form.cleaned_data.get("sensitive") and not settings.TRANSCRIPTION_REDACT_PII:
        retention.call_mark_sensitive(call=call)
    audit_record(
        request=request,
        action=AuditAction.CALL_PLACED,
        obj_kind="call",
        obj_id=call.sid,
        label=call.counterpart,
    )
    if connect:
        messages.success(
            request, f"Calling you on {call.to}, then {number.international}. Call SID: {call.sid}"
        )
    else:
        messages.success(request, f"Dialing {number.international}. Call SID: {call.sid}")
    return None


class LoginView(auth_views.LoginView):
    """The app's own login page, for everyone with an account (the admin's login takes staff only)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["no_users_yet"] = not get_user_model().objects.exists()
        return context


@login_required
@require_http_methods(["GET", "POST"])
def home(request):
    """The dial form and the recent calls with their transcripts; POST places a call."""
    can_dial = request.user.has_perm("caller.place_call")
    status = 200
    if request.method == "POST":
        if not can_dial:
            raise PermissionDenied(
                "You may not place calls: ask an admin for the 'Can place outbound calls' permission."
            )
        form = DialForm(request.POST)
        if form.is_valid():
            status = _place_call(request, form)
            if status is None:
                # Redirect so a reload does not ring the phone again.
                return redirect("home")
        else:
            status = 400
    else:
        form = DialForm()
    calls = list(selectors.calls_visible_to(request.user).select_related("dialed_by")[:RECENT_CALLS])
    # With no calls the page offers the samples; once loaded it links to them instead of a second copy.
    samples = (
        []
        if calls
        else list(
            transcripts_visible_to(request.user)
            .filter(is_sample=True, owner=request.user)
            .select_related("audio")
            .order_by("pk")
        )
    )
    runs_the_app = access.sees_all(request.user) or request.user.is_staff
    context = {
        "samples": samples,
        "form": form,
        "can_dial": can_dial,
        "rows": _call_rows(request.user, calls),
        "missing_twilio": missing_settings(),
        "missing_assemblyai": assemblyai_client.missing_settings(),
        "base_url": settings.BASE_URL,
        "own_number": conversation.profile_number(request.user),
        "redact_all": settings.TRANSCRIPTION_REDACT_PII,
        # Everyone's callbacks: for those who see every call (and staff, who run the app).
        "inbox_late": inbox_backlog() if runs_the_app else (0, None),
    }
    return render(request, "caller/home.html", context, status=status)


@login_required
@require_GET
def calls_status(request):
    """JSON for the home page: the status of the calls named by `?sid=` and of their transcripts.

    `gone` lists the SIDs not found (e.g. a reserved row's, replaced by Twilio's): the page reloads.
    """
    sids = request.GET.getlist("sid")[:RECENT_CALLS]
    calls = list(selectors.calls_visible_to(request.user).filter(sid__in=sids))
    rows = _call_rows(request.user, calls)
    payload = {
        "calls": {
            row["call"].sid: {
                "status": row["call"].status,
                "label": row["call"].get_status_display(),
                "duration": row["call"].duration,
                "settled": row["settled"],
                "transcripts": [status_payload(t) for t in row["transcripts"]],
            }
            for row in rows
        },
    }
    payload["settled"] = all(call["settled"] for call in payload["calls"].values())
    payload["gone"] = [sid for sid in dict.fromkeys(sids) if sid not in payload["calls"]]
    return JsonResponse(payload, headers={"Cache-Control": "no-store"})


@login_required
def call_detail(request, call_sid):
    """One call: who, when, how long; its notes; its recordings with a player; its transcripts."""
    calls = Call.objects.select_related("dialed_by")
    call = selectors.get_call_for(request.user, sid=call_sid, queryset=calls)
    audit_record(request=request, action=AuditAction.VIEWED, obj_kind="call", obj_id=call_sid, label=call.to)
    return render(request, "caller/call_detail.html", _call_context(request, call))


def _call_context(request, call: Call, *, notes: str | None = None, notes_error: str = "") -> dict:
    """The call page's context; `notes` and `notes_error`: a notes form sent back to fix."""
    recordings = list(selectors.recordings_visible_to(request.user, call.recordings.all()))
    transcripts = list(
        transcripts_visible_to(request.user)
        .filter(Q(call_sid=call.sid) | Q(recording_sid__in=[r.sid for r in recordings]))
        .defer("words", "utterances")
        .order_by("created_at")
    )
    by_recording = {t.recording_sid: t for t in transcripts if t.recording_sid}
    rows = [
        {
            "recording": r,
            # PII redaction: no player until the redacted copy replaced the original.
            "player_url": "" if audio_withheld(r.sid) else player_url(r.sid),
            "transcript": by_recording.get(r.sid),
            "talk": talk_summary(by_recording[r.sid]) if r.sid in by_recording else {},
        }
        for r in recordings
    ]
    shown = {row["transcript"].pk for row in rows if row["transcript"]}
    return {
        "call": call,
        "consents": list(call.consents.all()),
        "recordings": rows,
        "other_transcripts": [t for t in transcripts if t.pk not in shown],
        "redact_all": settings.TRANSCRIPTION_REDACT_PII,
        "may_mark_sensitive": not transcripts and not Transcript.objects.filter(call_sid=call.sid).exists(),
        "may_edit_notes": call_notes.may_edit_notes(request.user, call),
        "notes_text": call.notes if notes is None else notes,
        "notes_error": notes_error,
        "notes_max": NOTES_MAX_CHARS,
        "notes_max_text": f"{NOTES_MAX_CHARS:,}",
    }


@login_required
@require_POST
def call_notes_save(request, call_sid):
    """Save the notes written on a call's page: its owner, or whoever may change calls (else 403)."""
    call = selectors.get_call_for(
        request.user, sid=call_sid, queryset=Call.objects.select_related("dialed_by")
    )
    if not call_notes.may_edit_notes(request.user, call):
        raise PermissionDenied("You may read this call's notes but not change them.")
    notes = request.POST.get("notes", "")
    try:
        changed = call_notes.call_notes_update(call=call, notes=notes)
    except call_notes.NotesError as exc:
        context = _call_context(request, call, notes=notes, notes_error=str(exc))
        return render(request, "caller/call_detail.html", context, status=400)
    if changed:
        # What changed, not the notes themselves: they may hold personal details.
        detail = f"notes changed ({len(call.notes):,} characters)" if call.notes else "notes cleared"
        audit_record(
            request=request, action=AuditAction.EDITED, obj_kind="call", obj_id=call.sid, detail=detail
        )
        messages.success(request, "Notes saved: a search finds this call's transcripts by them.")
    else:
        messages.info(request, "The notes were already saved as they are.")
    return redirect(call.get_absolute_url() + "#notes")


@login_required
@require_POST
def call_sensitive(request, call_sid):
    """Mark a call sensitive before it is transcribed: its transcripts then redact PII, text and audio."""
    call = selectors.get_call_for(request.user, sid=call_sid)
    if retention.call_mark_sensitive(call=call):
        audit_record(
            request=request,
            action=AuditAction.EDITED,
            obj_kind="call",
            obj_id=call.sid,
            detail="marked sensitive",
        )
        messages.success(request, "Marked sensitive: its transcript will redact personal details.")
    else:
        messages.error(
            request, "This call already has a transcript: redaction is chosen before transcribing."
        )
    return redirect(call.get_absolute_url())
