"""The call log: every call the user may see, filtered and paginated, and the same as a CSV download."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from djtranscribe.lib.numbers import display_number
from transcription.models import TranscriptStatus
from transcription.selectors import transcripts_visible_to

from . import selectors
from .models import CallDirection, CallStatus, Recording
from .pages import _call_rows, transcripts_by_call

PER_PAGE = 25
MAX_QUERY = 64
NO_TRANSCRIPT = "none"
TRANSCRIPT_CHOICES = [(NO_TRANSCRIPT, "No transcript"), *TranscriptStatus.choices]
# Spreadsheets run cells that start with these as formulas (CSV injection): such cells get a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class CallFilter:
    """What the call log was asked for, checked; `problems` says what was dropped and why."""

    q: str = ""
    direction: str = ""
    status: str = ""
    transcript: str = ""
    since: date | None = None
    until: date | None = None
    problems: tuple[str, ...] = ()

    @classmethod
    def parse(cls, params) -> CallFilter:
        problems = []
        q = params.get("q", "").strip()
        if len(q) > MAX_QUERY:
            problems.append(f"That search is {len(q)} characters long: search for at most {MAX_QUERY}.")
            q = ""
        direction = params.get("direction", "")
        if direction and direction not in CallDirection.values:
            problems.append(f"There is no call direction {direction!r}.")
            direction = ""
        status = params.get("status", "")
        if status and status not in CallStatus.values:
            problems.append(f"There is no call status {status!r}.")
            status = ""
        transcript = params.get("transcript", "")
        if transcript and transcript not in dict(TRANSCRIPT_CHOICES):
            problems.append(f"There is no transcript status {transcript!r}.")
            transcript = ""
        dates = {}
        for name, label in (("since", "From"), ("until", "To")):
            raw = params.get(name, "")
            try:
                dates[name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                problems.append(f"{label} date {raw!r} is not a date like 2026-12-01.")
                dates[name] = None
        return cls(
            q=q, direction=direction, status=status, transcript=transcript, problems=tuple(problems), **dates
        )

    def apply(self, user, calls: QuerySet) -> QuerySet:
        if self.q:
            digits = "".join(ch for ch in self.q if ch.isdigit())
            # Notes too: a call nobody answered has no transcript for the Transcripts search to find.
            match = (
                Q(dialed_by__username__icontains=self.q)
                | Q(caller_name__icontains=self.q)
                | Q(notes__icontains=self.q)
            )
            if digits:
                match |= (
                    Q(to__contains=digits) | Q(from_number__contains=digits) | Q(other_party__contains=digits)
                )
            calls = calls.filter(match)
        if self.direction:
            calls = calls.filter(direction=self.direction)
        if self.status:
            calls = calls.filter(status=self.status)
        zone = timezone.get_current_timezone()
        if self.since:
            calls = calls.filter(created_at__gte=datetime.combine(self.since, time.min, zone))
        if self.until:
            calls = calls.filter(
                created_at__lt=datetime.combine(self.until + timedelta(days=1), time.min, zone)
            )
        if self.transcript:
            of_call = transcripts_visible_to(user).filter(
                Q(call_sid=OuterRef("sid"))
                | Q(
                    recording_sid__in=Recording.objects.filter(call_sid=OuterRef(OuterRef("sid"))).values(
                        "sid"
                    )
                )
            )
            if self.transcript == NO_TRANSCRIPT:
                calls = calls.filter(~Exists(of_call))
            else:
                calls = calls.filter(Exists(of_call.filter(status=self.transcript)))
        return calls


def calls_filtered(user, params) -> tuple[QuerySet, CallFilter]:
    """The calls `user` may see that match `params`, newest first."""
    wanted = CallFilter.parse(params)
    calls = wanted.apply(user, selectors.calls_visible_to(user).select_related("dialed_by"))
    return calls.order_by("-created_at", "-pk"), wanted


@login_required
@require_GET
def call_list(request):
    """Every call the user may see: search by number or who placed it, filter, newest first."""
    calls, wanted = calls_filtered(request.user, request.GET)
    page = Paginator(calls, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "rows": _call_rows(request.user, list(page.object_list)),
        "page": page,
        "filter": wanted,
        "statuses": CallStatus.choices,
        "directions": CallDirection.choices,
        "transcript_choices": TRANSCRIPT_CHOICES,
        "csv_query": request.GET.urlencode(),
    }
    return render(request, "caller/calls.html", context, status=400 if wanted.problems else 200)


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


def _csv_rows(user, calls: QuerySet, zone):
    """The header and the rows; `zone` is the user's (the page's), taken in the view: the rows are
    written after the response left the middleware that sets it."""
    yield [
        "When (UTC)",
        f"When (local, {getattr(zone, 'key', None) or zone})",
        "Direction",
        "Other party",
        "To",
        "From",
        "Status",
        "Duration (s)",
        "Placed by",
        "Transcripts",
        "Notes",
        "Call SID",
    ]
    batch = []
    for call in calls.iterator(chunk_size=500):
        batch.append(call)
        if len(batch) == 500:
            yield from _csv_batch(user, batch, zone)
            batch = []
    yield from _csv_batch(user, batch, zone)


def _csv_batch(user, calls, zone):
    transcripts = transcripts_by_call(user, [call.sid for call in calls]) if calls else {}
    for call in calls:
        yield [
            call.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            # With the offset: in the hour a clock goes back, two times would read alike.
            call.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %z"),
            call.get_direction_display(),
            display_number(call.counterpart) + (f" ({call.caller_name})" if call.caller_name else ""),
            display_number(call.to),
            display_number(call.from_number),
            call.get_status_display(),
            call.duration if call.duration is not None else "",
            call.dialed_by.get_username() if call.dialed_by else "",
            " ".join(t.status for t in transcripts.get(call.sid, [])),
            call.notes,
            call.sid,
        ]


@login_required
@require_GET
def call_list_csv(request):
    """The call log's current filter as CSV (only calls the user may see; cells safe from formulas),
    each call's time in the user's zone (as the page shows it) and in UTC.

    A filter that cannot be read is refused (400, what to fix) rather than dropped: the page shows
    what it ignored, but a downloaded file would silently hold more calls than were asked for.
    """
    calls, wanted = calls_filtered(request.user, request.GET)
    if wanted.problems:
        return HttpResponse(" ".join(wanted.problems), status=400, content_type="text/plain; charset=utf-8")
    writer = csv.writer(_Echo())
    zone = timezone.get_current_timezone()  # the user's, as the page shows times
    rows = _csv_rows(request.user, calls, zone)
    body = (writer.writerow([safe_cell(cell) for cell in row]) for row in rows)
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="calls-{stamp}.csv"'
    return response
