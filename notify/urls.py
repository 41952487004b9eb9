"""The Webhooks pages (/webhooks/): a user's own outbound endpoints."""

from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new/", views.endpoint_new, name="new"),
    path("<int:endpoint_id>/", views.endpoint_detail, name="endpoint"),
    path("<int:endpoint_id>/edit/", views.endpoint_edit, name="edit"),
    path("<int:endpoint_id>/test/", views.endpoint_test, name="test"),
    path("<int:endpoint_id>/deliveries/<int:delivery_id>/replay/", views.delivery_replay, name="replay"),
    # Deleting comes last: a walk of the URLconf (tests/test_access.py) opens the others first.
    path("<int:endpoint_id>/delete/", views.endpoint_delete, name="delete"),
]
