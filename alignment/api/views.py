"""Endpoints of the alignment engine under /api/v1/orgs/{org_slug}/alignment/: thin, over
services and selectors. Figures are read from stored runs; nothing is computed here."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from alignment import pages_data, selectors, services
from alignment.api import serializers as s
from alignment.filtersets import FlagFilter, RunFilter
from alignment.flags import flag_acknowledge, flag_reopen
from alignment.models import Flag, Run
from cxalign.orgs.api.base import ORG_SLUG_PARAMETER, OrgScopedGenericViewSet, OrgScopedMixin
from cxalign.orgs.params import query_id
from cxalign.orgs.roles import Role


class RunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    OrgScopedGenericViewSet,
):  # fmt: skip
    """Recompute runs: POST queues one (202); GET shows status, progress and provenance."""

    queryset = Run.objects.select_related("cycle", "requested_by__user")
    serializer_class = s.RunSerializer
    write_role = Role.CX_LEAD
    filterset_class = RunFilter
    ordering_fields = ["created_at", "finished_at"]

    def get_serializer_class(self):
        return s.RunRequestSerializer if self.action == "create" else s.RunSerializer

    def get_serializer(self, *args, **kwargs):
        if self.action == "create":
            kwargs["organization"] = self.organization
            return s.RunRequestSerializer(*args, **kwargs)
        return super().get_serializer(*args, **kwargs)

    @extend_schema(request=s.RunRequestSerializer, responses={202: s.RunSerializer})
    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.run_request(
            organization=self.organization,
            cycle=body.validated_data["cycle"],
            member=self.membership,
            trigger=Run.Trigger.PERSON,
            **body.periods(),
        )
        run.refresh_from_db()
        return Response(s.RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


CYCLE_PARAMETER = OpenApiParameter(
    "cycle", int, description="A planning cycle id (default: the current cycle)."
)
RUN_PARAMETER = OpenApiParameter(
    "run", int, description="A finished run id (default: the cycle's latest)."
)


@extend_schema(parameters=[ORG_SLUG_PARAMETER, CYCLE_PARAMETER, RUN_PARAMETER])
class LinksView(OrgScopedMixin, generics.GenericAPIView):
    """The NPS–CLV–churn links document of one finished run (floats unrounded)."""

    queryset = Run.objects.all()
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses={200: dict})
    def get(self, request, *args, **kwargs):
        run = links_run(self.organization, request.query_params)
        return Response(selectors.links_document(run))


def links_run(organization, params) -> Run:
    """The run a links request names, or the latest finished run of the (current) cycle: the
    pages' choice (alignment.pages_data); a malformed id is a 400, a missing object a 404."""
    run_id = query_id(params, "run") if params.get("run") else None
    cycle_id = query_id(params, "cycle") if params.get("cycle") else None
    cycle = pages_data.cycle_pick(organization=organization, cycle_id=cycle_id)
    run = pages_data.run_shown(organization=organization, cycle=cycle, run_id=run_id)
    if run is None:
        name = cycle.name if cycle else "any cycle"
        raise NotFound(
            f"No finished recompute for {name} yet: start one with POST "
            f"/api/v1/orgs/{organization.slug}/alignment/runs/."
        )
    return run


class FlagViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedGenericViewSet):
    """Misalignment flags; acknowledge one with a reason, or reopen it."""

    queryset = Flag.objects.select_related("owner__user", "unit", "acknowledged_by__user")
    serializer_class = s.FlagSerializer
    write_role = Role.MEMBER  # the service decides: CX lead and up, or the flag's owner
    filterset_class = FlagFilter
    ordering_fields = ["severity", "magnitude", "created_at", "updated_at"]
    search_fields = ["title"]

    @extend_schema(request=s.AcknowledgeSerializer, responses={200: s.FlagSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, *args, **kwargs):
        """Acknowledge the flag with a reason; a re-run reopens it if its evidence worsens."""
        flag = self.get_object()
        body = s.AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        flag = flag_acknowledge(flag=flag, member=self.membership, **body.validated_data)
        return Response(s.FlagSerializer(flag).data)

    @extend_schema(request=s.ReopenSerializer, responses={200: s.FlagSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        """Reopen an acknowledged flag."""
        flag = self.get_object()
        body = s.ReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        flag = flag_reopen(flag=flag, member=self.membership, **body.validated_data)
        return Response(s.FlagSerializer(flag).data)
