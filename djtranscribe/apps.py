from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin, with the project's site (djtranscribe/admin_site.py)."""

    default_site = "djtranscribe.admin_site.AdminSite"
