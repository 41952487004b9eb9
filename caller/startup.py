"""What `make run` says once the server answers: one box with the URL to open, how to log in (or
make the first user), and what is still missing before a real call can be placed and transcribed."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from transcription import assemblyai_client

from . import twilio_client
from .reachability import base_url_problem

WIDTH = 76  # inside the box: fits an 80-column terminal
CREATE_USER = ".venv/bin/python manage.py createsuperuser"


@dataclass(frozen=True)
class StartupFacts:
    url: str
    usernames: list[str] = field(default_factory=list)  # a few who can log in, admins first
    more_users: bool = False
    missing: list[str] = field(default_factory=list)  # one sentence each


def startup_facts(url: str) -> StartupFacts:
    """Read who can log in and which settings are missing (names only: never a value)."""
    users = get_user_model().objects.filter(is_active=True).order_by("-is_superuser", "pk")
    names = list(users.values_list("username", flat=True)[:4])
    missing = []
    twilio = twilio_client.missing_settings()
    if twilio:
        missing.append(f"Twilio, to place calls: set {', '.join(twilio)} in .env.")
    assemblyai = assemblyai_client.missing_settings()
    if assemblyai:
        missing.append(f"AssemblyAI, to transcribe: set {', '.join(assemblyai)} in .env.")
    if missing and not (Path(settings.BASE_DIR) / ".env").exists():
        # "set X in .env" is a dead end for a newcomer who has no .env: say where it comes from.
        missing.insert(0, "There is no .env yet: start it with `cp .env.example .env`, then restart.")
    problem = base_url_problem(settings.BASE_URL)
    if problem:
        missing.append(problem)
    return StartupFacts(url=url, usernames=names[:3], more_users=len(names) > 3, missing=missing)


def _login_line(facts: StartupFacts) -> list[str]:
    if not facts.usernames:
        return [
            "No user yet. To log in, create the first one in another terminal:",
            f"  {CREATE_USER}",
        ]
    names = ", ".join(facts.usernames) + (" or another user" if facts.more_users else "")
    return [f"Log in as {names} (with the password set for them)."]


def startup_box(facts: StartupFacts, *, unicode: bool = True) -> str:
    """The box, as text: plain data in, so it can be read (and tested) without a server."""

    def para(text: str, first: str = "", rest: str = "") -> list[str]:
        return textwrap.wrap(
            text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
        )

    wrapped = [*para(f"djtranscribe is running: open {facts.url}"), ""]
    for line in _login_line(facts):
        wrapped += para(line, rest="  ")
    wrapped.append("")
    if facts.missing:
        wrapped.append("Still missing (the home page says the same):")
        for sentence in facts.missing:
            wrapped += para(sentence, "- ", "  ")
        wrapped += para('Meanwhile, "Load a sample call" on the home page shows a finished transcript.')
    else:
        wrapped += para("Twilio, AssemblyAI and BASE_URL are set: place a call from the home page.")
    wrapped += ["", "Ctrl-C stops the server and the workers."]
    inner = max(len(line) for line in wrapped)
    top, bottom, side, dash = ("┌", "└", "│", "─") if unicode else ("+", "+", "|", "-")
    close_top, close_bottom = ("┐", "┘") if unicode else ("+", "+")
    out = [top + dash * (inner + 2) + close_top]
    out += [f"{side} {line.ljust(inner)} {side}" for line in wrapped]
    out.append(bottom + dash * (inner + 2) + close_bottom)
    return "\n".join(out)
