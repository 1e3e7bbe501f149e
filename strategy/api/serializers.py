from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cxalign.orgs.api.base import OrgModelSerializer
from kpis.models import direction_parse
from strategy.models import (
    Capability,
    CheckIn,
    Commitment,
    Confidence,
    Cycle,
    Decision,
    Goal,
    GoalImport,
    GoverningModel,
    Initiative,
    KeyChoice,
    KPIEffect,
    Vision,
)
from strategy.rollup import ROLLUP_FIELDS, rollup

STAMPS = ["created_at", "updated_at", "version"]


class VisionSerializer(OrgModelSerializer):
    class Meta:
        model = Vision
        fields = ["vision", "mission", "values", *STAMPS]
        read_only_fields = ["created_at", "updated_at"]


class KeyChoiceSerializer(OrgModelSerializer):
    risk_score = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = KeyChoice
        fields = [
            "id",
            "model",
            "position",
            "text",
            "likelihood",
            "impact",
            "kpi",
            "risk_score",
            *STAMPS,
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"position": {"required": False}}


class GoverningModelSerializer(OrgModelSerializer):
    choices = KeyChoiceSerializer(many=True, read_only=True)
    owner_name = serializers.CharField(source="owner.display_name", read_only=True, default=None)
    next_review_on = serializers.DateField(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField(help_text="Never reviewed or past its next review.")

    class Meta:
        model = GoverningModel
        fields = [
            "id",
            "kind",
            "owner",
            "owner_name",
            "summary",
            "review_cadence_months",
            "last_reviewed_on",
            "next_review_on",
            "overdue",
            "choices",
            *STAMPS,
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class CycleSerializer(OrgModelSerializer):
    inputs_due_on = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to a month before the start."
    )

    class Meta:
        model = Cycle
        fields = ["id", "name", "kind", "starts_on", "ends_on", "inputs_due_on", "status", *STAMPS]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # the service checks the name within the organization


class CarryOverSerializer(serializers.Serializer):
    target = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is not None:
            self.fields["target"].queryset = Cycle.objects.for_org(organization)


class CarryOverResultSerializer(serializers.Serializer):
    carried = serializers.IntegerField()
    already_there = serializers.IntegerField()
    unfinished = serializers.IntegerField()


class GoalSerializer(OrgModelSerializer):
    own_progress = serializers.SerializerMethodField(help_text="0..1 from its own check-ins.")
    rollup_progress = serializers.SerializerMethodField(
        help_text="0..1, weighted from its contributing goals."
    )
    effective_progress = serializers.SerializerMethodField(
        help_text="Its own progress where it has one, else the roll-up."
    )
    children_count = serializers.SerializerMethodField()

    class Meta:
        model = Goal
        fields = [
            "id",
            "cycle",
            "parent",
            "key",
            "title",
            "description",
            "owner",
            "org_unit",
            "leg",
            "measure",
            "kpi",
            "baseline",
            "target",
            "measure_unit",
            "weight",
            "due_on",
            "status",
            "current_value",
            "confidence",
            "last_checkin_at",
            "own_progress",
            "rollup_progress",
            "effective_progress",
            "children_count",
            "carried_from",
            *STAMPS,
        ]
        read_only_fields = [
            "current_value",
            "confidence",
            "last_checkin_at",
            "carried_from",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"key": {"required": False}}
        validators = []

    def _progress(self, obj):
        progress = self.context.get("progress")
        if progress is None or obj.id not in progress:
            # A single goal (retrieve, create, update, 409): roll up its cycle once.
            cache = self.context.setdefault("_progress_by_cycle", {})
            if obj.cycle_id not in cache:
                cache[obj.cycle_id] = rollup(
                    Goal.objects.filter(cycle_id=obj.cycle_id).values(*ROLLUP_FIELDS)
                )
            return cache[obj.cycle_id].get(obj.id)
        return progress.get(obj.id)

    def get_own_progress(self, obj) -> float | None:
        p = self._progress(obj)
        return None if p is None else p.own

    def get_rollup_progress(self, obj) -> float | None:
        p = self._progress(obj)
        return None if p is None else p.rollup

    def get_effective_progress(self, obj) -> float | None:
        p = self._progress(obj)
        return None if p is None else p.effective

    def get_children_count(self, obj) -> int:
        p = self._progress(obj)
        return 0 if p is None else p.children


class CheckInSerializer(OrgModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True, default=None)
    confidence = serializers.ChoiceField(choices=Confidence.choices)
    version = None

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "goal",
            "author",
            "author_name",
            "value",
            "progress",
            "confidence",
            "statement",
            "created_at",
        ]
        read_only_fields = ["author", "created_at"]
        extra_kwargs = {"statement": {"allow_blank": True}}


class CommitmentSerializer(OrgModelSerializer):
    executive_name = serializers.CharField(source="executive.display_name", read_only=True)

    class Meta:
        model = Commitment
        fields = ["id", "cycle", "executive", "executive_name", "goal", "statement", *STAMPS]
        read_only_fields = ["executive", "created_at", "updated_at"]
        validators = []


class DirectionField(serializers.ChoiceField):
    """A KPI direction, up or down; also takes higher or lower, in any case."""

    def __init__(self, **kwargs):
        super().__init__(choices=KPIEffect.Direction.choices, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(direction_parse(data) or data)


class KPIEffectSerializer(OrgModelSerializer):
    direction = DirectionField()

    class Meta:
        model = KPIEffect
        fields = [
            "id",
            "initiative",
            "kpi",
            "direction",
            "amount",
            "intended",
            "affected_unit",
            "note",
            *STAMPS,
        ]
        read_only_fields = ["created_at", "updated_at"]


class InitiativeSerializer(OrgModelSerializer):
    effects = KPIEffectSerializer(many=True, read_only=True)

    class Meta:
        model = Initiative
        fields = [
            "id",
            "cycle",
            "name",
            "description",
            "kind",
            "org_unit",
            "owner",
            "goals",
            "starts_on",
            "status",
            "outcome",
            "effects",
            *STAMPS,
        ]
        read_only_fields = ["created_at", "updated_at"]


class DecisionSerializer(OrgModelSerializer):
    class Meta:
        model = Decision
        fields = [
            "id",
            "cycle",
            "title",
            "description",
            "decided_on",
            "decided_by",
            "goals",
            "initiatives",
            "customer_view",
            "customer_view_why",
            "mitigation",
            "override",
            "override_reason",
            "override_by",
            "override_at",
            *STAMPS,
        ]
        read_only_fields = ["override_by", "override_at", "created_at", "updated_at"]


class CapabilitySerializer(OrgModelSerializer):
    gap = serializers.IntegerField(read_only=True)
    current_level = serializers.IntegerField(min_value=0, max_value=5, help_text="0 to 5.")
    needed_level = serializers.IntegerField(min_value=0, max_value=5, help_text="0 to 5.")

    class Meta:
        model = Capability
        fields = [
            "id",
            "name",
            "description",
            "current_level",
            "needed_level",
            "gap",
            "owner",
            "org_unit",
            *STAMPS,
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []


class GoalImportUploadSerializer(serializers.Serializer):
    """A cascade file and the organization's cycle it goes into."""

    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())
    file = serializers.FileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is not None:
            self.fields["cycle"].queryset = Cycle.objects.for_org(organization)


class ImportRequestSerializer(GoalImportUploadSerializer):
    dry_run = serializers.BooleanField(default=False)


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()


class ImportWarningSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    rejected = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)
    warnings = ImportWarningSerializer(many=True)
    dry_run = serializers.BooleanField()
    cycle = serializers.CharField()


class GoalImportListSerializer(serializers.ModelSerializer):
    """A cascade upload in a list: its status and how many bad rows its check found."""

    class Meta:
        model = GoalImport
        fields = ["id", "cycle", "file_name", "status", "message", "rejected", "created_at",
                  "finished_at"]  # fmt: skip
        read_only_fields = fields


class GoalImportSerializer(serializers.ModelSerializer):
    """A cascade upload: its status and, once checked, what it will do or did (no row list)."""

    created = serializers.SerializerMethodField()
    updated = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = GoalImport
        fields = ["id", "cycle", "file_name", "status", "message", "created", "updated",
                  "rejected", "errors", "warnings", "created_at", "finished_at"]  # fmt: skip
        read_only_fields = fields

    def get_created(self, job) -> int | None:
        return job.summary.get("created")

    def get_updated(self, job) -> int | None:
        return job.summary.get("updated")

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, job) -> list:
        return job.summary.get("errors", [])

    @extend_schema_field(ImportWarningSerializer(many=True))
    def get_warnings(self, job) -> list:
        return job.summary.get("warnings", [])
