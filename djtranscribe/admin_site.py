"""The admin site: every ModelAdmin accepts only the lookups of its own filters and date hierarchy.

Django lets a changelist URL filter on any local field with any lookup (`?webhook_token__startswith=`,
`?text__regex=`): enough to read a secret one character at a time, or to burn seconds of CPU on a
regular expression. StrictAdminSite mixes StrictLookupsMixin into every ModelAdmin registered on it,
ours and third-party ones alike; a hand-made lookup answers 400 with a message saying so.

Every change page whose fields are all read-only shows no Save buttons (NoSaveWithoutInputsMixin).

It also keeps the access model in the admin's own views:
- they do their own sign-in check (to the admin's login page), so LoginRequiredMiddleware lets
  them through;
- "view on site" (`admin/r/<content type>/<id>/`) redirects only to objects the user may see in
  that model's admin (Django's own redirects to any object by id, naming it in the Location).
"""

from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.filters import ListFilter, SimpleListFilter
from django.contrib.admin.options import ModelAdmin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.urls import URLResolver, path

# What Django's field list filters put in the query string, after the field's path.
FIELD_FILTER_SUFFIXES = ("", "__exact", "__isnull", "__gte", "__lt", "__isempty")


def filter_parameters(model, list_filter, date_hierarchy: str | None) -> set[str]:
    """The query parameters the changelist's own filters and date hierarchy use."""
    allowed: set[str] = set()
    for item in list_filter:
        if isinstance(item, type) and issubclass(item, SimpleListFilter):
            allowed.add(item.parameter_name)
            continue
        if isinstance(item, type) and issubclass(item, ListFilter):
            continue  # a custom ListFilter names its own parameters; none are known here
        path = item[0] if isinstance(item, (list, tuple)) else item
        if not isinstance(path, str):
            continue
        allowed.update(path + suffix for suffix in FIELD_FILTER_SUFFIXES)
        try:
            field = get_fields_from_path(model, path)[-1]
        except (FieldDoesNotExist, NotRelationField):  # the admin's system checks report a bad path
            continue
        if getattr(field, "is_relation", False) and getattr(field, "target_field", None) is not None:
            allowed.add(f"{path}__{field.target_field.name}__exact")
    if date_hierarchy:
        allowed.update(f"{date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return allowed


class StrictLookupsMixin:
    """Allow only the lookups of list_filter, date_hierarchy and raw-id popups; others are 400."""

    def lookup_allowed(self, lookup, value, request=None):
        # Popups of raw_id_fields filter by the ForeignKey's limit_choices_to: Django allows those.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        return lookup in filter_parameters(self.model, list_filter, self.date_hierarchy)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DisallowedModelAdminLookup as error:
            return HttpResponseBadRequest(
                f"{error}: this list accepts only the lookups of its own filters and search.\n",
                content_type="text/plain; charset=utf-8",
            )


def _sign_in_checked_by_the_admin(patterns) -> None:
    """Mark every admin view login_not_required: each is wrapped in admin_view(), which sends
    people to the admin's own login page (the middleware would send them to the app's)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _sign_in_checked_by_the_admin(entry.url_patterns)
        elif getattr(entry.callback, "login_required", True):
            # A bound method (the site's own views) takes the mark on its function.
            login_not_required(getattr(entry.callback, "__func__", entry.callback))


def _form_edits_something(form) -> bool:
    return bool(form.visible_fields())


def _inline_edits_something(inline) -> bool:
    """An inline edits something when a row has an input, a row may be added, or one deleted."""
    formset = inline.formset
    if any(_form_edits_something(form) for form in formset.forms):
        return True
    if inline.has_add_permission and formset.max_num > formset.initial_form_count():
        return True
    return bool(formset.can_delete and inline.has_delete_permission and formset.initial_form_count())


class NoSaveWithoutInputsMixin:
    """A change page where every field is read-only (a call, a webhook delivery) shows no Save
    buttons: they would save nothing, and suggest something here can be changed."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and not add:
            adminform = context.get("adminform")
            inlines = context.get("inline_admin_formsets", [])
            editable = (adminform is not None and _form_edits_something(adminform.form)) or any(
                _inline_edits_something(inline) for inline in inlines
            )
            if not editable:
                context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().render_change_form(request, context, add, change, form_url, obj)


class StrictAdminSite(admin.AdminSite):
    """The default admin site, with StrictLookupsMixin and NoSaveWithoutInputsMixin mixed into
    every ModelAdmin it registers."""

    site_header = "djtranscribe"
    site_title = "djtranscribe admin"
    index_title = "Calls, recordings and transcripts"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or ModelAdmin
        mixins = tuple(
            mixin
            for mixin in (StrictLookupsMixin, NoSaveWithoutInputsMixin)
            if not issubclass(admin_class, mixin)
        )
        if mixins:
            admin_class = type(
                admin_class.__name__,
                (*mixins, admin_class),
                {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
            )
        super().register(model_or_iterable, admin_class, **options)

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
