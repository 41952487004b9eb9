"""Transcript pages and AssemblyAI's webhook."""

from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connections
from django.db.models.functions import Substr
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.services import audit_record
from search.engine import COUNT_LIMIT, MAX_QUERY, Search, count_statuses
from search.highlight import clip
from search.index import notes_of
from search.people import MIN_CHARS as PEOPLE_MIN_CHARS

from . import downloads
from .finding import (
    MAX_WHO,
    PHONE_DIGITS,
    REVIEWED_CHOICES,
    TranscriptFilter,
    direction_choices,
    people_condition,
)
from .media import unredacted_audio_url
from .models import AudioSource, Review, Transcript, TranscriptStatus
from .participants import RenameError, may_rename, participants_rename
from .presentation import status_payload
from .reading import transcript_body
from .revising.review import review_of
from .revising.services import latest_revision, may_edit
from .selectors import TRANSCRIPT_LIST_FIELDS, get_transcript_for, transcripts_visible_to
from .sources import Source, describe, describe_many

EXPORT_LABELS = {"txt": "Text", "json": "JSON", "srt": "SRT subtitles", "vtt": "WebVTT subtitles"}
# The rename form's fields: `name-1`, `name-A`... one per participant key.
NAME_FIELD = "name-"
PER_PAGE = 25
PREVIEW_CHARS = 200
PEOPLE_SHOWN = 100


class CountedPaginator(Paginator):
    """A paginator given its count: the status chips' one query has counted already."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def source_name(transcript: Transcript, source: Source) -> str:
    """Who was called; else the audio file's name; else what kind of audio it was."""
    if source.label:
        return source.label
    name = unquote(PurePosixPath(urlsplit(transcript.audio_url).path).name)
    if name:
        return name
    if transcript.audio_source == AudioSource.UPLOAD:
        return "uploaded audio"
    return f"Transcript {transcript.pk}"


@login_required
@require_GET
def transcript_list(request):
    """The transcripts the user may see, newest first; `?q=` finds words in the text, ranked.

    Filters: `status`, `direction`, `who` (a participant's name or number), `since`/`until` (dates).
    """
    query = request.GET.get("q", "")
    wanted = TranscriptFilter.parse(request.GET)
    problems = list(wanted.problems)
    if len(query) > MAX_QUERY:
        problems.insert(0, f"That search is {len(query)} characters long: search for at most {MAX_QUERY}.")
        query = ""
    status = wanted.status
    search = Search.parse(query)
    visible = wanted.apply(transcripts_visible_to(request.user))
    found = search.filter(visible)
    counts, many = count_statuses(found, ranked=search.ranked)
    shown = found.filter(status=status) if status else found
    if search:
        shown = shown.only(*TRANSCRIPT_LIST_FIELDS, "text")
    else:
        shown = shown.only(*TRANSCRIPT_LIST_FIELDS).annotate(preview=Substr("text", 1, PREVIEW_CHARS + 1))
    total = counts.get(status, 0) if status else sum(counts.values())
    if many and status:
        # The status's own hits, counted up to the limit like the whole (one more read, bounded).
        total = len(shown.order_by().values_list("pk", flat=True)[: COUNT_LIMIT + 1])
        many = total > COUNT_LIMIT
        total = min(total, COUNT_LIMIT)
    ordered = shown.order_by(*search.ordering(many=many))
    if search:
        # Rank ids only, then read the page's 25 rows: sorting whole rows reads every hit's text.
        ordered = ordered.values_list("pk", flat=True)
    page = CountedPaginator(ordered, PER_PAGE, total).get_page(request.GET.get("page"))
    transcripts = list(page.object_list)
    if search:
        by_pk = Transcript.objects.only(*TRANSCRIPT_LIST_FIELDS, "text").in_bulk(transcripts)
        transcripts = [by_pk[pk] for pk in transcripts if pk in by_pk]
    reviewed = Review.objects.filter(transcript__in=transcripts)
    reviewed_ids = set(reviewed.values_list("transcript_id", flat=True))
    moments = search.fragments(transcripts) if search else {}
    # The call notes indexed with each hit (search/index.py): shown when a wanted word is in them.
    notes = (
        notes_of(connections[transcripts[0]._state.db], [t.pk for t in transcripts])
        if search and transcripts
        else {}
    )
    rows = [
        {
            "transcript": t,
            "source": source,
            "name": source_name(t, source),
            "snippet": search.snippet(t.text) if search else clip(t.preview, PREVIEW_CHARS),
            "hits": search.hits(t.text) + search.hits(notes.get(t.pk, "")) if search else 0,
            "notes_snippet": search.snippet(notes[t.pk])
            if search and search.hits(notes.get(t.pk, ""))
            else "",
            "moment": moments.get(t.pk, ""),
            "reviewed": t.pk in reviewed_ids,
        }
        for t, source in zip(transcripts, describe_many(transcripts), strict=True)
    ]
    # Past the limit the counts per status are of the first hits only: the chips show no number.
    chips = [("", "All", None if many else sum(counts.values()))] + [
        (value, label, None if many else counts.get(value, 0)) for value, label in TranscriptStatus.choices
    ]
    context = {
        "rows": rows,
        "page": page,
        "q": search.text,
        "search": search,
        "status": status,
        "filters": wanted,
        "directions": direction_choices(),
        "reviewed_choices": REVIEWED_CHOICES.items(),
        "people": _people_matching(request.user, query, wanted),
        "people_query": query.strip(),
        "chips": chips,
        "total": total,
        "many": many,
        "problem": " ".join(problems),
    }
    return render(request, "transcription/list.html", context, status=400 if problems else 200)


def _people_matching(user, query: str, wanted: TranscriptFilter) -> int:
    """How many transcripts have a participant (name or number) like the whole query, up to 100.

    The search box finds words said; a name or a number typed there is offered as the `who` filter.
    Not for one or two characters: a trigram index (search.people) cannot answer them, and every
    search would pay for a scan of all participants to offer a filter nobody asked for.
    """
    query = query.strip()
    if (
        len(query) < PEOPLE_MIN_CHARS
        or wanted.who
        or len(query) > MAX_WHO
        or any(ch in query for ch in '"-')
        or " OR " in query
    ):
        return 0
    digits = sum(ch.isdigit() for ch in query)
    if digits and digits < PHONE_DIGITS:
        return 0  # a reference number or an amount said, not a phone number
    people = wanted.apply(transcripts_visible_to(user)).filter(people_condition(query))
    return people.order_by().values("pk")[:PEOPLE_SHOWN].count()


@login_required
def transcript_detail(request, pk):
    """One transcript: a conversation of named turns (or paragraphs), synced to the audio, searchable."""
    transcript = get_transcript_for(request.user, pk=pk)
    audit_record(request=request, action=AuditAction.VIEWED, obj_kind="transcript", obj_id=pk)
    review = review_of(transcript)
    body = transcript_body(transcript, low=settings.TRANSCRIPTION_LOW_CONFIDENCE)
    names = {p["key"]: p["name"] for p in body["participants"]}
    context = {
        "transcript": transcript,
        "source": describe(transcript),
        # Its call's notes as search indexes them with it (written on the call's page).
        "call_notes": notes_of(connections[transcript._state.db], [transcript.pk]).get(transcript.pk, ""),
        "unredacted_url": unredacted_audio_url(request.user, transcript),
        "exports": EXPORT_LABELS if transcript.status == TranscriptStatus.COMPLETED else {},
        "status": status_payload(transcript),
        "may_rename": may_rename(request.user, transcript),
        "may_edit": may_edit(request.user, transcript),
        "revision": latest_revision(transcript),
        "review": review,
        "review_participants": [
            {"name": names.get(key) or key, "wer": figures["wer"]}
            for key, figures in (review.by_participant if review else {}).items()
        ],
        **body,
    }
    return render(request, "transcription/detail.html", context)


@login_required
@require_POST
def transcript_participants(request, pk):
    """Rename the transcript's participants (its owner or a lead), then back to its page."""
    transcript = get_transcript_for(request.user, pk=pk)
    if not may_rename(request.user, transcript):
        raise Http404("No such transcript.")
    names = {
        key[len(NAME_FIELD) :]: value for key, value in request.POST.items() if key.startswith(NAME_FIELD)
    }
    try:
        renamed = participants_rename(transcript=transcript, names=names)
    except RenameError as exc:
        messages.error(request, f"The names were not changed: {exc}")
    else:
        detail = "participants: " + ", ".join(f"{key}={name}" for key, name in renamed.items())
        audit_record(
            request=request, action=AuditAction.EDITED, obj_kind="transcript", obj_id=pk, detail=detail
        )
        messages.success(request, "Participants renamed.")
    return HttpResponseRedirect(transcript.get_absolute_url() + "#participants", status=303)


@login_required
@require_GET
def transcript_status(request, pk):
    """JSON status of one transcript, polled by its page while AssemblyAI works on it."""
    transcript = get_transcript_for(request.user, pk=pk)
    return JsonResponse(status_payload(transcript), headers={"Cache-Control": "no-store"})


@login_required
@require_GET
def transcript_export(request, pk, kind):
    """The transcript as a TXT, JSON, SRT or WebVTT download, named after the date and the number."""
    transcript = get_transcript_for(request.user, pk=pk)
    return downloads.export_response(request, transcript, kind)
