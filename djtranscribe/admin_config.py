"""django.contrib.admin with StrictAdminSite as the default site (listed in INSTALLED_APPS)."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "djtranscribe.admin_site.StrictAdminSite"
