"""The tutorial's URLs (same paths and names) and the Twilio callbacks."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dial/<str:phone_number>/", views.dial, name="dial"),
    path("record/", views.record_twiml, name="record-twiml"),
    path("record/done/", views.record_action, name="record-action"),
    path("get-recording-url/<str:call_sid>/", views.get_recording_url, name="recording-url"),
    path("calls/<str:sid>/", views.call_detail, name="call-detail"),
    path("twilio/call-status/", views.call_status, name="call-status"),
    path("twilio/recording-status/", views.recording_status, name="recording-status"),
]
