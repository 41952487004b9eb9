"""The tutorial's URLs (same paths and names) and the Twilio callbacks."""

from django.urls import path

from . import call_log, media, pages, profile, views, voice

urlpatterns = [
    # Twilio's status callbacks and the tutorial's TwiML first: Django tries the patterns in order,
    # and these come in bursts.
    path("twilio/call-status/", views.call_status, name="call-status"),
    path("twilio/recording-status/", views.recording_status, name="recording-status"),
    path("record/", views.record_twiml, name="record-twiml"),
    path("record/done/", views.record_action, name="record-action"),
    path("", pages.home, name="home"),
    path("calls/", call_log.call_list, name="call-list"),
    path("calls/export.csv", call_log.call_list_csv, name="call-list-csv"),
    path("calls/status/", pages.calls_status, name="calls-status"),
    path("dial/<str:phone_number>/", views.dial, name="dial"),
    path("get-recording-url/<str:call_sid>/", views.get_recording_url, name="recording-url"),
    path("calls/<str:call_sid>/", pages.call_detail, name="call-detail"),
    path("calls/<str:call_sid>/sensitive/", pages.call_sensitive, name="call-sensitive"),
    path("calls/<str:call_sid>/notes/", pages.call_notes_save, name="call-notes"),
    path("recordings/<str:recording_sid>/media/", media.recording_media, name="recording-media"),
    path("profile/", profile.profile, name="profile"),
    # Two-party and inbound calls (caller/voice.py): signed Twilio webhooks, like the ones above.
    path("twilio/voice/", voice.inbound_voice, name="inbound-voice"),
    path("twilio/calls/<int:call_id>/connect/", voice.connect_twiml, name="connect-twiml"),
    path("twilio/calls/<int:call_id>/consent/", voice.parent_consent, name="parent-consent"),
    path("twilio/calls/<int:call_id>/whisper/", voice.whisper, name="whisper"),
    path("twilio/calls/<int:call_id>/whisper/consent/", voice.whisper_consent, name="whisper-consent"),
    path("twilio/calls/<int:call_id>/dial-done/", voice.dial_action, name="dial-action"),
]
