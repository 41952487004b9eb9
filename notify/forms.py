"""The endpoint form: a URL checked against internal addresses, a kind, the events, a description."""

from django import forms

from djtranscribe.lib.http import user_url_refusal

from .models import SUBSCRIBABLE, Endpoint, EndpointKind


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=2000,
        assume_scheme="https",
        help_text="Where the events are POSTed. It must reach a public address.",
        widget=forms.URLInput(
            attrs={"placeholder": "https://example.com/hooks/djtranscribe", "autocomplete": "off"}
        ),
    )
    kind = forms.ChoiceField(
        choices=EndpointKind.choices, widget=forms.RadioSelect, initial=EndpointKind.STANDARD
    )
    events = forms.MultipleChoiceField(
        choices=[(str(choice), choice.label) for choice in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        initial=[str(choice) for choice in SUBSCRIBABLE],
        error_messages={"required": "Choose at least one event to send."},
    )
    description = forms.CharField(max_length=200, required=False, help_text="For you: what receives these.")
    active = forms.BooleanField(required=False, initial=True, help_text="Off: nothing is sent.")

    class Meta:
        model = Endpoint
        fields = ["url", "kind", "events", "description", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        reason = user_url_refusal(url)
        if reason:
            raise forms.ValidationError(reason)
        return url
