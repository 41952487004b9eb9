"""Page parts of the Twilio side that any page may show."""

from django import template
from django.conf import settings

from caller.reachability import base_url_problem

register = template.Library()


@register.inclusion_tag("caller/_base_url_warning.html")
def base_url_warning():
    """A warning when Twilio cannot reach BASE_URL (shown where calls are placed)."""
    return {"problem": base_url_problem(settings.BASE_URL)}
