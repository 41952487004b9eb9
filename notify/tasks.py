"""Background work of outbound webhooks: one task, one delivery attempt. Queue it with notify.queue."""

from django_tasks import task

QUEUE = "notify"


@task(queue_name=QUEUE)
def deliver_event(delivery_id: int) -> str:
    """Send one delivery once; it queues its own retry when trying again can help."""
    from .delivery import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id)
