"""The user's own phone number: where "call them and connect me" rings them first."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import conversation
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


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """GET shows the user's own number; POST stores it (checked by the dial policy) or clears it."""
    current = CallerProfile.objects.filter(user=request.user).values_list("phone_number", flat=True).first()
    status = 200
    if request.method == "POST":
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
    else:
        form = ProfileForm(initial={"phone_number": current or ""})
    return render(request, "caller/profile.html", {"form": form, "current": current}, status=status)
