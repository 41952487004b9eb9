"""Template helpers for the pages: durations, confidence shading, links to the admin."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def clock(seconds) -> str:
    """Seconds as `m:ss` (or `h:mm:ss`); "" when unknown."""
    try:
        total = round(float(seconds))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(max(total, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def clock_ms(milliseconds) -> str:
    try:
        return clock(float(milliseconds) / 1000)
    except (TypeError, ValueError):
        return ""


def shade(confidence, low: float) -> str:
    """`lo` below the threshold (doubtful), `mid` in the lower half of what is left, else ""."""
    if confidence is None:
        return ""
    if confidence < low:
        return "lo"
    if confidence < low + (1 - low) / 2:
        return "mid"
    return ""


@register.simple_tag
def words_html(words, low: float):
    """One span per word with its times and shade: the page's blocks whose words cannot be told
    apart by spaces (page_text.block_text sends the others as text plus timings)."""
    parts = []
    for word in words:
        confidence = word.get("confidence")
        # A word a person corrected or accepted is certain: marked as checked, never shaded.
        checked = word.get("edited") or word.get("accepted")
        css = "ed" if checked else shade(confidence, low)
        # Only shaded words carry their score: an hour of speech stays under 600 kB of HTML.
        title = f' title="{round(confidence * 100)}% sure"' if css in ("lo", "mid") else ""
        parts.append(
            f'<span class="w{" " + css if css else ""}" data-s="{word["start"]}" data-e="{word["end"]}"'
            f"{title}>{escape(word['text'])}</span>"
        )
    return mark_safe(" ".join(parts))  # noqa: S308 (every value above is a number or escaped)


@register.filter
def admin_change_url(obj, user) -> str:
    """The admin change page of `obj` for a staff user allowed to see it; "" otherwise
    (also when that model has no admin)."""
    if obj is None or not getattr(user, "is_staff", False):
        return ""
    opts = obj._meta
    if not (
        user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        or user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
    ):
        return ""
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


@register.filter
def percent(rate) -> str:
    """A rate (0.034) as people read it ("3.4%"); "" when unknown."""
    try:
        return f"{float(rate) * 100:.1f}%"
    except (TypeError, ValueError):
        return ""
