from cxalign.orgs.api.base import OrgModelSerializer
from kpis.models import KPI, Measurement


class KPISerializer(OrgModelSerializer):
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
    class Meta:
        model = Measurement
        fields = ["id", "kpi", "measured_on", "value", "segment", "note", "created_at", "version"]
        read_only_fields = ["created_at"]
