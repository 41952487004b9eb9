"""`{{ number|phone }}`: phone numbers as people read them, on every page that shows one."""

from django import template

from djtranscribe.lib.numbers import display_number

register = template.Library()


@register.filter
def phone(value) -> str:
    """National format for numbers of the home country (TWILIO_PHONE_NUMBER's), international otherwise."""
    return display_number(value)
