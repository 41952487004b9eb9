"""The transcripts list's filters: date range, status, direction, participant; checked like a form.

Direction is a fact of the call, which this app does not know (it never imports caller): the app
that keeps calls registers, in its AppConfig.ready, the directions it knows and the condition that
picks their transcripts (`directions_register`). Without it the direction filter is not offered.

Participants are found by name (the Participant rows) and by number (the audio asset's label: the
number talked to), both in narrow tables, so a filter by person reads no transcript text, and by
any part of them through trigram indexes (search/people.py), so it reads no whole table either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connections, router
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from audio.models import AudioAsset
from search import people

from .models import Participant, TranscriptStatus

MAX_WHO = 64
# The reviewed filter: a person marked the transcript checked ("yes"), or not yet ("no").
REVIEWED_CHOICES = {"": "Any", "yes": "Reviewed", "no": "Not reviewed"}
MIN_DIGITS = 3  # fewer digits typed are part of a name ("R2"), not a number
# Typed in the search box, digits are offered as a number only when they could be one (7 or more):
# a reference number said in a call ("10164") is searched as words, without a look at the numbers.
PHONE_DIGITS = 7

_directions: list[tuple[str, str]] = []
_direction_condition: Callable[[str], Q] | None = None


def directions_register(choices: list[tuple[str, str]], condition: Callable[[str], Q]) -> None:
    """Offer a direction filter: `condition(value)` is a Q over transcripts of that direction."""
    global _direction_condition
    _directions[:] = list(choices)
    _direction_condition = condition


def direction_choices() -> list[tuple[str, str]]:
    return list(_directions)


def people_condition(who: str) -> Q:
    """Transcripts with a participant named like `who`, or talking with a number containing its digits.

    Both sides are IN-subqueries over the narrow tables (participants, audio assets), met through
    the transcript's primary key and its indexed audio_id: never a scan of the wide transcripts.
    """
    who = who.strip()
    # Through a trigram index (search.people): on SQLite its FTS5 table, on PostgreSQL the lookup
    # itself, which meets a pg_trgm index. Shorter than search.people.MIN_CHARS: a scan, as before.
    connection = connections[router.db_for_read(Participant)]
    named = people.contains(connection, "search_participant_fts", who)
    found = Participant.objects.filter(Q(pk__in=named) if named is not None else Q(name__icontains=who))
    found = found.order_by().values("transcript_id")
    digits = "".join(ch for ch in who if ch.isdigit())
    if len(digits) >= MIN_DIGITS:
        # Only where the transcript's owner made the audio: a transcript given to someone else does
        # not show them the number called (sources.describe), so it is not found by it either.
        # From the assets (a narrow table) to their transcripts through the audio_id index.
        labelled = people.contains(connection, "search_asset_label_fts", digits)
        talked = (
            AudioAsset.objects.filter(
                Q(pk__in=labelled) if labelled is not None else Q(label__contains=digits)
            )
            .filter(transcripts__owner=F("owner"))
            .order_by()
            .values("transcripts")
        )
        found = found.union(talked)
    return Q(pk__in=found)


@dataclass(frozen=True)
class TranscriptFilter:
    """What the list was asked to narrow by, checked; `problems` says what was dropped and why."""

    status: str = ""
    direction: str = ""
    who: str = ""
    since: date | None = None
    until: date | None = None
    reviewed: str = ""  # "yes", "no" or "" (either)
    problems: tuple[str, ...] = ()

    @classmethod
    def parse(cls, params) -> TranscriptFilter:
        problems = []
        status = params.get("status", "")
        if status and status not in TranscriptStatus.values:
            problems.append(
                f"There is no status {status!r}: choose one of {', '.join(TranscriptStatus.values)}."
            )
            status = ""
        direction = params.get("direction", "")
        known = dict(_directions)
        if direction and direction not in known:
            choices = ", ".join(known) or "none here"
            problems.append(f"There is no call direction {direction!r}: choose one of {choices}.")
            direction = ""
        who = params.get("who", "").strip()
        if len(who) > MAX_WHO:
            problems.append(f"That participant is {len(who)} characters long: type at most {MAX_WHO}.")
            who = ""
        dates = {}
        for name, label in (("since", "From"), ("until", "To")):
            raw = params.get(name, "").strip()
            try:
                dates[name] = date.fromisoformat(raw) if raw else None
            except ValueError:
                problems.append(f"{label} date {raw!r} is not a date like 2026-12-01.")
                dates[name] = None
        if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
            problems.append("The From date is after the To date: swap them to see that range.")
            dates = {"since": None, "until": None}
        reviewed = params.get("reviewed", "")
        if reviewed not in REVIEWED_CHOICES:
            problems.append(f"There is no filter reviewed={reviewed!r}: choose yes or no.")
            reviewed = ""
        return cls(
            status=status, direction=direction, who=who, reviewed=reviewed, problems=tuple(problems), **dates
        )

    @property
    def narrowing(self) -> bool:
        """Whether anything but the status narrows the list (the status chips count without status)."""
        return bool(self.direction or self.who or self.since or self.until or self.reviewed)

    def apply(self, transcripts: QuerySet) -> QuerySet:
        """`transcripts` narrowed by everything but the status (the chips count each status)."""
        if self.direction and _direction_condition is not None:
            transcripts = transcripts.filter(_direction_condition(self.direction))
        if self.who:
            transcripts = transcripts.filter(people_condition(self.who))
        if self.reviewed:
            transcripts = transcripts.filter(review__isnull=self.reviewed == "no")
        zone = timezone.get_current_timezone()
        if self.since:
            transcripts = transcripts.filter(created_at__gte=datetime.combine(self.since, time.min, zone))
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time.min, zone)
            transcripts = transcripts.filter(created_at__lt=end)
        return transcripts

    def params(self) -> dict[str, str]:
        """The filters as query parameters (for links that keep them)."""
        values = {
            "status": self.status,
            "direction": self.direction,
            "who": self.who,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "reviewed": self.reviewed,
        }
        return {key: value for key, value in values.items() if value}
