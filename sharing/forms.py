from django import forms

from .services import LIFETIMES


class ShareForm(forms.Form):
    lifetime = forms.ChoiceField(
        label="Expires after", choices=[(key, label) for key, (label, _) in LIFETIMES.items()]
    )
    include_audio = forms.BooleanField(label="Include the audio", required=False)
