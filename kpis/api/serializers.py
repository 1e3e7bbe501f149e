from rest_framework import serializers

from cxalign.orgs.api.base import OrgModelSerializer
from kpis.models import KPI, Measurement, direction_parse


class KPISerializer(OrgModelSerializer):
    def to_internal_value(self, data):
        if hasattr(data, "get") and direction_parse(data.get("direction")):
            data = {**data, "direction": direction_parse(data.get("direction"))}
        return super().to_internal_value(data)

    class Meta:
        model = KPI
        fields = [
            "id",
            "key",
            "name",
            "unit",
            "direction",
            "description",
            "is_builtin",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["is_builtin", "created_at", "updated_at"]
        validators = []  # the service checks the key within the organization


class MeasurementSerializer(OrgModelSerializer):
    def validate_source(self, value: str) -> str:
        if value == Measurement.Source.ENGINE:
            raise serializers.ValidationError(
                "Only the alignment engine's recompute records measured values; "
                "send “entered” or “imported”."
            )
        return value

    class Meta:
        model = Measurement
        fields = [
            "id",
            "kpi",
            "measured_on",
            "value",
            "segment",
            "note",
            "source",
            "created_at",
            "version",
        ]
        read_only_fields = ["created_at"]
