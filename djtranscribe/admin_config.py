"""django.contrib.admin with StrictAdminSite as the default site (listed in INSTALLED_APPS)."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "djtranscribe.admin_site.StrictAdminSite"

    def ready(self):
        super().ready()  # autodiscover: every app's admin module is registered by now
        from django.contrib import admin

        from .task_admin import register

        register(admin.site)
