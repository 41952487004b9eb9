"""Owners for the rows made before owners existed, and the empty "Leads" group that sees everything.

A call belongs to whoever dialed it; a recording to its call's owner; a transcript to its
recording's owner, else its call's. Where nobody is known the owner stays empty (leads see it).
"""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery

VIEW_ALL_CALLS_CODENAME = "view_all_calls"  # djtranscribe.access.VIEW_ALL_CALLS, frozen here
VIEW_ALL_CALLS_NAME = "Can view every call, recording and transcript"
LEADS_GROUP = "Leads"


def assign_owners(apps, schema_editor):
    Call = apps.get_model("caller", "Call")
    Recording = apps.get_model("caller", "Recording")
    Transcript = apps.get_model("transcription", "Transcript")
    Call.objects.filter(owner__isnull=True, dialed_by__isnull=False).update(owner_id=F("dialed_by_id"))
    call_owner = Call.objects.filter(sid=OuterRef("call_sid")).values("owner_id")[:1]
    Recording.objects.filter(owner__isnull=True).update(owner_id=Subquery(call_owner))
    recording_owner = (
        Recording.objects.filter(sid=OuterRef("recording_sid"), owner__isnull=False).values("owner_id")[:1]
    )
    Transcript.objects.filter(owner__isnull=True).exclude(recording_sid="").update(
        owner_id=Subquery(recording_owner)
    )
    Transcript.objects.filter(owner__isnull=True).exclude(call_sid="").update(owner_id=Subquery(call_owner))


def create_leads_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are made after migrations run (post_migrate): make this one now to grant it.
    content_type, _ = ContentType.objects.get_or_create(app_label="caller", model="call")
    permission, _ = Permission.objects.get_or_create(
        codename=VIEW_ALL_CALLS_CODENAME, content_type=content_type, defaults={"name": VIEW_ALL_CALLS_NAME}
    )
    group, _ = Group.objects.get_or_create(name=LEADS_GROUP)
    group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("caller", "0002_owners"),
        ("transcription", "0002_owner"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(assign_owners, migrations.RunPython.noop),
        migrations.RunPython(create_leads_group, migrations.RunPython.noop),
    ]
