"""The user's profile: their own phone number (where "call them and connect me" rings them first)
and the time zone their pages show times in."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import conversation, timezones
from .models import CallerProfile
from .phone import InvalidNumber


class ProfileForm(forms.Form):
    phone_number = forms.CharField(
        label="Your phone number",
        max_length=32,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "+1 415 555 1234", "autocomplete": "tel", "inputmode": "tel"}
        ),
    )


class TimeZoneForm(forms.Form):
    # A free CharField checked by the service: a stale or forged name gets its own clear message.
    time_zone = forms.CharField(label="Time zone", max_length=timezones.MAX_LENGTH, required=False)


def _time_zone_context(request, saved: str) -> dict:
    return {
        "zone_names": timezones.zone_names(),
        "saved_zone": saved,
        "browser_zone": timezones.browser_zone_name(request),
    }


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """GET shows the user's number and time zone; POST stores one of them (the form that was sent:
    the number checked by the dial policy, the zone against the IANA database), or clears it."""
    mine = CallerProfile.objects.filter(user=request.user)
    current = mine.values("phone_number", "time_zone").first() or {}
    status = 200
    form = ProfileForm(initial={"phone_number": current.get("phone_number", "")})
    zone_form = TimeZoneForm(initial={"time_zone": current.get("time_zone", "")})
    saved_zone = current.get("time_zone", "")
    if request.method == "POST" and "time_zone" in request.POST:
        zone_form = TimeZoneForm(request.POST)
        if zone_form.is_valid():
            try:
                saved = timezones.profile_time_zone_set(
                    user=request.user, time_zone=zone_form.cleaned_data["time_zone"]
                )
            except timezones.InvalidTimeZone as exc:
                zone_form.add_error("time_zone", str(exc))
            else:
                messages.success(
                    request,
                    f"Times are shown in {saved.time_zone}."
                    if saved.time_zone
                    else "Times follow your browser's time zone.",
                )
                return redirect("profile")
        status = 400
    elif request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                saved = conversation.profile_set(
                    user=request.user, phone_number=form.cleaned_data["phone_number"]
                )
            except InvalidNumber as exc:
                form.add_error("phone_number", str(exc))
            else:
                messages.success(
                    request,
                    f"Your phone number is {saved.phone_number}."
                    if saved.phone_number
                    else "Your phone number is cleared.",
                )
                return redirect("home")
        status = 400
    context = {"form": form, "zone_form": zone_form, **_time_zone_context(request, saved_zone)}
    return render(request, "caller/profile.html", context, status=status)
