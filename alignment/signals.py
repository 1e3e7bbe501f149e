"""A finished feedback import queues a recompute of the current cycle (debounced)."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from cxalign.background import call_on_commit
from feedback.models import ImportBatch


@receiver(post_save, sender=ImportBatch, dispatch_uid="alignment_recompute_after_import")
def recompute_after_import(sender, instance: ImportBatch, created: bool, **kwargs) -> None:
    if created or instance.status != ImportBatch.Status.SUCCEEDED or instance.dry_run:
        return
    from alignment.tasks import recompute_after_import as task

    organization_id = instance.organization_id
    countdown = settings.ALIGNMENT_IMPORT_DEBOUNCE_S
    call_on_commit(
        lambda: task.apply_async((organization_id,), countdown=countdown),
        f"recompute after import {instance.id}",
    )
