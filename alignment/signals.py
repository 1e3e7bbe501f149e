"""A finished feedback import queues a recompute of the current cycle (debounced); a saved or
deleted row of any table the dashboard shows forgets the organization's data stamp."""

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cxalign.background import call_on_commit
from cxalign.orgs.stamps import stamp_forget
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


def _stamped_row_changed(sender, instance, **kwargs) -> None:
    stamp_forget(instance.organization_id)


def connect_stamp_signals() -> None:
    from alignment.dashboard import STAMPED

    for model, *_ in STAMPED:
        for signal in (post_save, post_delete):
            signal.connect(
                _stamped_row_changed, sender=model, dispatch_uid=f"cx_stamp_{model.__name__}"
            )
