"""The project's admin site: Django's, asking each ModelAdmin's queryset (the selectors) everywhere.

Two differences from django.contrib.admin.AdminSite:
- its views do their own sign-in check (to the admin's login page), so LoginRequiredMiddleware
  lets them through;
- "view on site" (`admin/r/<content type>/<id>/`) redirects only to objects the user may see in
  that model's admin (Django's own redirects to any object by id, naming it in the Location).
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import URLResolver, path


def _sign_in_checked_by_the_admin(patterns) -> None:
    """Mark every admin view login_not_required: each is wrapped in admin_view(), which sends
    people to the admin's own login page (the middleware would send them to the app's)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _sign_in_checked_by_the_admin(entry.url_patterns)
        elif getattr(entry.callback, "login_required", True):
            # A bound method (the site's own views) takes the mark on its function.
            login_not_required(getattr(entry.callback, "__func__", entry.callback))


class AdminSite(admin.AdminSite):
    def get_urls(self):
        urls = super().get_urls()
        ours = path("r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site))
        ours.name = "view_on_site"
        urls = [ours if getattr(url, "name", None) == "view_on_site" else url for url in urls]
        _sign_in_checked_by_the_admin(urls)
        return urls

    def view_on_site(self, request, content_type_id, object_id):
        """Redirect to an object's page if its ModelAdmin's queryset holds it for this user; else 404."""
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type else None
        model_admin = self._registry.get(model)
        if model_admin is None:
            raise Http404("No such object.")
        try:
            visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, TypeError, ValidationError):
            visible = False
        if not visible:
            raise Http404("No such object.")
        return contenttype_views.shortcut(request, content_type_id, object_id)
