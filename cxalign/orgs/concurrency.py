"""Optimistic concurrency: every editable object carries a version; stale writes are refused."""

from django.db import transaction


class VersionConflict(Exception):
    """Someone saved the object since the writer read it; `current` is the stored object."""

    def __init__(self, current):
        self.current = current
        super().__init__(
            f"This {current._meta.verbose_name} was changed by someone else "
            f"(now version {current.version}). Review the current values and apply your "
            "change again."
        )


def parse_version(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


@transaction.atomic
def versioned_save(instance, *, expected_version: int, update_fields=None):
    """Save `instance` if the stored row still has `expected_version`, bumping the version."""
    model = type(instance)
    stored = model._base_manager.select_for_update().filter(pk=instance.pk).first()
    if stored is None:
        raise model.DoesNotExist(f"This {model._meta.verbose_name} no longer exists.")
    if stored.version != expected_version:
        raise VersionConflict(current=stored)
    instance.version = stored.version + 1
    if update_fields is not None:
        names = {f.name for f in model._meta.concrete_fields}
        update_fields = {*update_fields, "version"} | ({"updated_at"} & names)
    instance.save(update_fields=update_fields)
    return instance


@transaction.atomic
def object_update(*, instance, data: dict, version: int):
    """Apply `data` to `instance`, validate it whole, and save it if nobody saved since `version`."""
    for field, value in data.items():
        setattr(instance, field, value)
    instance.full_clean()
    return versioned_save(instance, expected_version=version)
