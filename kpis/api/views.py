"""KPI catalogue API: built-in KPIs and the organization's own, with their measurements."""

from cxalign.orgs.api.base import OrgScopedViewSet
from cxalign.orgs.roles import Role
from kpis import services
from kpis.api.serializers import KPISerializer, MeasurementSerializer
from kpis.models import KPI, Measurement


class KPIViewSet(OrgScopedViewSet):
    """The KPI catalogue. Built-in KPIs cannot be deleted or re-keyed."""

    queryset = KPI.objects.all()
    serializer_class = KPISerializer
    write_role = Role.CX_LEAD
    filterset_fields = ["is_builtin", "direction"]
    search_fields = ["key", "name"]
    create_service = services.kpi_create
    update_service = services.kpi_update
    delete_service = services.kpi_delete


class MeasurementViewSet(OrgScopedViewSet):
    """Observed KPI values over time, optionally per segment."""

    queryset = Measurement.objects.select_related("kpi")
    serializer_class = MeasurementSerializer
    write_role = Role.CX_LEAD
    filterset_fields = ["kpi", "segment"]
    ordering_fields = ["measured_on"]
