"""Serializers of the alignment API: runs, flags and the write bodies of their actions."""

from rest_framework import serializers

from alignment.models import Flag, Run
from strategy.models import Cycle


class RunSerializer(serializers.ModelSerializer):
    cycle_name = serializers.CharField(source="cycle.name", read_only=True)
    requested_by = serializers.SerializerMethodField()
    periods = serializers.SerializerMethodField()
    seconds = serializers.FloatField(read_only=True)

    class Meta:
        model = Run
        fields = ["id", "cycle", "cycle_name", "status", "trigger", "requested_by", "periods",
                  "progress", "step", "message", "attempts", "settings", "inputs", "timings",
                  "flags_open", "flags_new", "flags_resolved", "created_at", "started_at",
                  "finished_at", "seconds"]  # fmt: skip
        read_only_fields = fields

    def get_requested_by(self, run) -> str | None:
        return run.requested_by.display_name if run.requested_by else None

    def get_periods(self, run) -> dict:
        return {
            "previous": {"first_day": run.previous_first, "last_day": run.previous_last},
            "current": {"first_day": run.current_first, "last_day": run.current_last},
        }


class RunRequestSerializer(serializers.Serializer):
    """POST body: the cycle, and optionally explicit periods (dates inclusive)."""

    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())
    current_start = serializers.DateField(required=False)
    current_end = serializers.DateField(required=False)
    previous_start = serializers.DateField(required=False)
    previous_end = serializers.DateField(required=False)

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is not None:
            self.fields["cycle"].queryset = Cycle.objects.for_org(organization)

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({k: ["Unknown field."] for k in unknown})
        return super().to_internal_value(data)

    def validate(self, attrs):
        for period in ("current", "previous"):
            given = [f"{period}_start" in attrs, f"{period}_end" in attrs]
            if any(given) and not all(given):
                raise serializers.ValidationError(
                    {f"{period}_end": [f"Give both the start and the end of the {period} period."]}
                )
        return attrs

    def periods(self) -> dict:
        data = self.validated_data
        out = {}
        for period in ("current", "previous"):
            if f"{period}_start" in data:
                out[period] = (data[f"{period}_start"], data[f"{period}_end"])
        return out


class FlagSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    acknowledged = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields = ["id", "cycle", "rule", "severity", "title", "subjects", "evidence",
                  "magnitude", "owner", "unit", "state", "acknowledged", "first_run",
                  "last_run", "resolved_at", "created_at", "updated_at", "version"]  # fmt: skip
        read_only_fields = fields

    def get_owner(self, flag) -> dict | None:
        if flag.owner_id:
            return {"id": flag.owner_id, "name": flag.owner.display_name}
        return {"id": None, "name": flag.owner_label} if flag.owner_label else None

    def get_unit(self, flag) -> dict | None:
        return {"id": flag.unit_id, "name": flag.unit.name} if flag.unit_id else None

    def get_acknowledged(self, flag) -> dict | None:
        if not flag.acknowledged_at:
            return None
        by = flag.acknowledged_by.display_name if flag.acknowledged_by else None
        return {"by": by, "at": flag.acknowledged_at, "reason": flag.acknowledged_reason}


class AcknowledgeSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Why the flag is acknowledged (required)."
    )
    version = serializers.IntegerField(required=False, min_value=1)


class ReopenSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)
