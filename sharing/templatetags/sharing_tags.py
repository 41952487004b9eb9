"""`{% share_panel transcript %}`: the transcript page's share links, for those who may share it."""

from django import template

from sharing import services
from sharing.forms import ShareForm

register = template.Library()


@register.inclusion_tag("sharing/panel.html", takes_context=True)
def share_panel(context, transcript):
    user = context["request"].user
    if transcript.status != "completed" or not services.may_share(user, transcript):
        return {"show": False}
    return {
        "show": True,
        "transcript": transcript,
        "links": list(services.links_for(transcript)),
        "form": ShareForm(),
        "csrf_token": context.get("csrf_token"),
    }
