"""The KPI catalogue: built-in CX measures every organization gets, plus its own."""

from django.core.exceptions import ValidationError
from django.db import models

from cxalign.orgs.models import OrgOwned

DIRECTION_NAMES = {
    "up": "up", "higher": "up", "higher is better": "up",
    "down": "down", "lower": "down", "lower is better": "down",
}  # fmt: skip


def direction_parse(raw) -> str | None:
    """A KPI direction ("up"/"down") from up, down, higher, lower (any case); None if not one."""
    return DIRECTION_NAMES.get(" ".join(str(raw or "").lower().split()))


class KPI(OrgOwned):
    class Direction(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    key = models.SlugField(
        max_length=60, help_text="Short stable name used by imports and the API, e.g. nps."
    )
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=30, help_text="e.g. points, %, EUR, days.")
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    description = models.TextField(blank=True)
    is_builtin = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-is_builtin", "name"]
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="kpi_unique_key_per_org"),
            models.UniqueConstraint(
                fields=["organization", "name"], name="kpi_unique_name_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def clean(self) -> None:
        if not (self.unit or "").strip():
            raise ValidationError({"unit": "Say what the KPI is measured in, e.g. % or EUR."})


class Measurement(OrgOwned):
    """One observed value of a KPI at a date, optionally for one segment or audience."""

    class Source(models.TextChoices):
        ENGINE = "engine", "Measured by the engine"
        ENTERED = "entered", "Entered"
        IMPORTED = "imported", "Imported"

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=4)
    segment = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=240, blank=True)
    source = models.CharField(
        max_length=12,
        choices=Source.choices,
        default=Source.ENTERED,
        help_text="Where the value comes from: the alignment engine's recompute, a person, "
        "or an import.",
    )

    class Meta:
        ordering = ["kpi", "-measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "measured_on", "segment"], name="measurement_unique_per_day"
            )
        ]
        indexes = [models.Index(fields=["organization", "kpi", "measured_on"])]

    def __str__(self) -> str:
        return f"{self.kpi.key} {self.value} on {self.measured_on}"
