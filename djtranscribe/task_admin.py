"""The admin of queued tasks (django-tasks-db's own), with what webhooks queued withheld.

An inbox task (djtranscribe.lib.tasks.INBOX_QUEUE) carries what a sender said, not ids: AssemblyAI's
webhook token (a secret, never on a page) and the call and job ids that the access model shows only
to those who may see them. Its arguments are withheld here; what the worker stored is in the admin
of its own model (webhook deliveries, recordings). Other tasks take ids and are shown as they are.
"""

import json

from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from djtranscribe.lib.tasks import INBOX_QUEUE

WITHHELD = "(what a webhook said: withheld here; once the worker stored it, see its own admin)"


class TaskResultAdmin(DBTaskResultAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ["arguments" if name == "args_kwargs" else name for name in fields]

    @admin.display(description="args kwargs")
    def arguments(self, obj: DBTaskResult) -> str:
        if obj.queue_name == INBOX_QUEUE:
            return WITHHELD
        return json.dumps(obj.args_kwargs)


def register(site: admin.AdminSite) -> None:
    """Take the place of django-tasks-db's admin (registered by autodiscover) on `site`."""
    if site.is_registered(DBTaskResult):
        site.unregister(DBTaskResult)
    site.register(DBTaskResult, TaskResultAdmin)
