from django.apps import AppConfig, apps


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        # django-axes may or may not be installed: listen to its lock-outs only when it is.
        if apps.is_installed("axes"):
            from axes.signals import user_locked_out

            from .services import on_user_locked_out

            user_locked_out.connect(on_user_locked_out, dispatch_uid="audit-user-locked-out")
