"""Strategy API: thin viewsets over the same services and selectors as the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cxalign.orgs.api.base import (
    ORG_SLUG_PARAMETER,
    OrgScopedGenericViewSet,
    OrgScopedMixin,
    OrgScopedViewSet,
    split_version,
)
from cxalign.orgs.api.parsers import SafeJSONParser
from cxalign.orgs.params import query_id
from cxalign.orgs.roles import Role
from strategy import imports, selectors, services, spreadsheet
from strategy.api.serializers import (
    CapabilitySerializer,
    CarryOverResultSerializer,
    CarryOverSerializer,
    CheckInSerializer,
    CommitmentSerializer,
    CycleSerializer,
    DecisionSerializer,
    GoalImportListSerializer,
    GoalImportSerializer,
    GoalImportUploadSerializer,
    GoalSerializer,
    GoverningModelSerializer,
    ImportRequestSerializer,
    ImportResultSerializer,
    InitiativeSerializer,
    KeyChoiceSerializer,
    KPIEffectSerializer,
    VisionSerializer,
)
from strategy.models import (
    Capability,
    CheckIn,
    Commitment,
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

SYNC_ROWS = 1_000  # rows goals/import/ checks in the request (about a fifth of a second)


@extend_schema(parameters=[ORG_SLUG_PARAMETER])
class VisionView(OrgScopedMixin, generics.RetrieveUpdateAPIView):
    """The organization's vision, mission and values (executives write)."""

    queryset = Vision.objects.all()
    serializer_class = VisionSerializer
    write_role = Role.EXECUTIVE

    def get_object(self):
        return services.vision_get(organization=self.organization)

    def perform_update(self, serializer):
        data, version = split_version(serializer)
        serializer.instance = services.vision_update(
            vision=serializer.instance, data=data, version=version
        )


class GoverningModelViewSet(OrgScopedViewSet):
    """The five governing models with their key choices, owner and review state."""

    queryset = GoverningModel.objects.select_related("owner__user").prefetch_related("choices__kpi")
    serializer_class = GoverningModelSerializer
    write_role = Role.EXECUTIVE
    filterset_fields = ["kind", "owner"]
    pagination_class = None
    update_service = services.governing_model_update


class KeyChoiceViewSet(OrgScopedViewSet):
    """Ordered key choices of the governing models (risk: likelihood and impact; economic: KPI)."""

    queryset = KeyChoice.objects.select_related("model")
    serializer_class = KeyChoiceSerializer
    write_role = Role.EXECUTIVE
    filterset_fields = ["model"]
    create_service = services.keychoice_create
    update_service = services.keychoice_update
    delete_service = services.keychoice_delete


class CycleViewSet(OrgScopedViewSet):
    """Planning cycles; POST .../carry-over/ copies the unfinished goals into another cycle."""

    queryset = Cycle.objects.all()
    serializer_class = CycleSerializer
    write_role = Role.EXECUTIVE
    filterset_fields = ["status", "kind"]
    ordering_fields = ["starts_on", "name"]
    create_service = services.cycle_create
    update_service = services.cycle_update

    @extend_schema(request=CarryOverSerializer, responses={200: CarryOverResultSerializer})
    @action(detail=True, methods=["post"], url_path="carry-over")
    def carry_over(self, request, *args, **kwargs):
        """Copy this cycle's unfinished goals into `target`, keeping the cascade (repeatable)."""
        source = self.get_object()
        body = CarryOverSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        result = services.cycle_carry_over(source=source, target=body.validated_data["target"])
        return Response(result)


TREE_PARAMETERS = [
    OpenApiParameter("cycle", int, description="The cycle (default: the active one)."),
    OpenApiParameter("root", int, description="Show the goals below this goal."),
    OpenApiParameter("depth", int, description="Levels to include (1 to 3, default 2)."),
    OpenApiParameter("unit", int, description="Only goals of this unit and its sub-units."),
    OpenApiParameter("leg", str, enum=["financial", "people", "cx"]),
    OpenApiParameter("owner", int, description="Only goals of this owner (membership id)."),
    OpenApiParameter(
        "status",
        str,
        enum=[v for v, _ in selectors.STATUS_CHOICES],
        description="A status, or `live` for any status but dropped.",
    ),
    OpenApiParameter(
        "confidence",
        str,
        enum=[v for v, _ in selectors.CONFIDENCE_CHOICES],
        description="A confidence; `attention` is at risk or off track, `none` no check-in yet.",
    ),
    OpenApiParameter("level", int, description="Only goals at this level (1 = corporate)."),
]


class TreeNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    parent = serializers.IntegerField(allow_null=True)
    leg = serializers.CharField()
    status = serializers.CharField()
    owner = serializers.IntegerField(allow_null=True)
    owner_name = serializers.CharField(allow_null=True)
    org_unit = serializers.CharField(allow_null=True)
    confidence = serializers.CharField()
    own_progress = serializers.FloatField(allow_null=True)
    rollup_progress = serializers.FloatField(allow_null=True)
    effective_progress = serializers.FloatField(allow_null=True)
    children_count = serializers.IntegerField()
    matched = serializers.BooleanField()
    children = serializers.ListField(child=serializers.DictField())


class TreeSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    total = serializers.IntegerField()
    matched = serializers.IntegerField()
    shown = serializers.IntegerField()
    truncated = serializers.BooleanField()
    nodes = TreeNodeSerializer(many=True)


def _node(node) -> dict:
    goal, p = node.goal, node.progress
    return {
        "id": goal.id,
        "key": goal.key,
        "title": goal.title,
        "parent": goal.parent_id,
        "leg": goal.leg,
        "status": goal.status,
        "owner": goal.owner_id,
        "owner_name": goal.owner.display_name if goal.owner else None,
        "org_unit": goal.org_unit.name if goal.org_unit else None,
        "confidence": goal.confidence,
        "own_progress": p.own,
        "rollup_progress": p.rollup,
        "effective_progress": p.effective,
        "children_count": p.children,
        "matched": node.matched,
        "children": [_node(c) for c in node.children],
    }


class GoalViewSet(OrgScopedViewSet):
    """The goal cascade. `GET goals/tree/` gives a compact tree, a level or a subtree at a time.

    Managers write their own unit's goals; executives write corporate goals (no parent).
    """

    queryset = Goal.objects.select_related("cycle").order_by("cycle", "key", "id")
    serializer_class = GoalSerializer
    read_role = Role.VIEWER
    write_role = Role.MANAGER
    action_roles = {"import_goals": Role.EXECUTIVE}
    filterset_fields = [
        "cycle",
        "parent",
        "org_unit",
        "leg",
        "owner",
        "status",
        "confidence",
        "kpi",
    ]
    search_fields = ["key", "title"]
    ordering_fields = ["key", "due_on", "weight", "created_at"]
    create_service = services.goal_create
    update_service = services.goal_update
    delete_service = services.goal_delete

    def _progress_for(self, goals) -> dict:
        cycles = {g.cycle_id for g in goals}
        if not cycles:
            return {}
        return rollup(Goal.objects.filter(cycle_id__in=cycles).values(*ROLLUP_FIELDS))

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        goals = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "progress": self._progress_for(goals)}
        data = GoalSerializer(goals, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(parameters=TREE_PARAMETERS, responses={200: TreeSerializer})
    @action(detail=False, methods=["get"])
    def tree(self, request, *args, **kwargs):
        """A compact tree of the cascade (a fixed number of queries for any size).

        Without filters: `depth` levels below `root` (or the corporate goals); nodes with
        `children_count` > 0 and no `children` are loaded with `?root=<id>`. With filters: the
        matching goals with their chain of parents (at most 400 matches; `truncated` says so).
        """
        cycles = selectors.cycle_list(organization=self.organization)
        cycle = selectors.cycle_pick(cycles=cycles, cycle_id=request.query_params.get("cycle"))
        if cycle is None:
            return Response(
                {
                    "cycle": None,
                    "total": 0,
                    "matched": 0,
                    "shown": 0,
                    "truncated": False,
                    "nodes": [],
                }
            )
        root_id = query_id(request.query_params, "root")
        if root_id is not None:
            root_goal = self.get_org_object(Goal, root_id)
            root_id, cycle = root_goal.id, root_goal.cycle
        for name in ("unit", "owner", "level"):
            query_id(request.query_params, name)
        try:
            depth = max(1, min(3, int(request.query_params.get("depth", 2))))
        except ValueError:
            depth = 2
        filters = selectors.CascadeFilters.from_query(request.query_params)
        cascade = selectors.cascade_tree(cycle=cycle, filters=filters, root_id=root_id, depth=depth)
        return Response(
            {
                "cycle": cycle.id,
                "total": cascade.total,
                "matched": cascade.matched,
                "shown": cascade.shown,
                "truncated": cascade.truncated,
                "nodes": [_node(n) for n in cascade.roots],
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("cycle", int, description="The cycle (default: the active one)."),
            OpenApiParameter("as", str, enum=["csv", "xlsx"], description="File type (csv)."),
        ],
        responses={(200, "text/csv"): bytes},
    )
    @action(detail=False, methods=["get"])
    def export(self, request, *args, **kwargs):
        """The cascade as CSV or XLSX, in the columns the import reads."""
        cycles = selectors.cycle_list(organization=self.organization)
        cycle = selectors.cycle_pick(cycles=cycles, cycle_id=request.query_params.get("cycle"))
        if cycle is None:
            return Response({"detail": "No planning cycle yet."}, status=status.HTTP_404_NOT_FOUND)
        fmt = "xlsx" if request.query_params.get("as") == "xlsx" else "csv"
        return spreadsheet.export_response(cycle=cycle, fmt=fmt, name=f"cascade-{cycle.pk}")

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer},
        responses={200: ImportResultSerializer, 400: ImportResultSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser, SafeJSONParser],
    )
    def import_goals(self, request, *args, **kwargs):
        """Import a cascade from CSV/XLSX in the request: all or nothing; 400 names each bad row
        and why. At most SYNC_ROWS rows: a larger file goes to goal-imports/ (background)."""
        body = ImportRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise serializers.ValidationError(
                {"file": f"At most {imports.MAX_BYTES // 2**20} MB: POST it to goal-imports/."}
            )
        notes: list[dict] = []
        rows = spreadsheet.read_rows(upload.read(), filename=upload.name, notes=notes)
        if len(rows) > SYNC_ROWS:
            raise serializers.ValidationError(
                {"file": f"The file has {len(rows):,} rows; this endpoint checks at most "
                         f"{SYNC_ROWS:,} in the request. POST it to goal-imports/ to check and "
                         "import it in the background."}
            )  # fmt: skip
        summary = spreadsheet.goals_import(
            cycle=body.validated_data["cycle"],
            rows=rows,
            dry_run=body.validated_data["dry_run"],
            notes=notes,
        )
        code = status.HTTP_400_BAD_REQUEST if summary["errors"] else status.HTTP_200_OK
        return Response(summary, status=code)


class GoalImportViewSet(OrgScopedGenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Cascade uploads checked and applied in the background: POST a file (202), poll the job
    (or progress/), then POST apply/ once it is checked with no bad row (all or nothing)."""

    queryset = GoalImport.objects.select_related("cycle").order_by("-created_at", "-id")
    serializer_class = GoalImportSerializer
    read_role = Role.EXECUTIVE
    write_role = Role.EXECUTIVE
    parser_classes = [MultiPartParser, FormParser, SafeJSONParser]
    filterset_fields = ["cycle", "status"]

    def get_queryset(self):
        jobs = super().get_queryset()
        return jobs.defer("summary") if self.action in {"list", "progress"} else jobs

    def get_serializer_class(self):
        return GoalImportListSerializer if self.action == "list" else GoalImportSerializer

    def get_object(self):
        """As the pages do: a job silent far too long is failed with a reason, not polled
        for ever."""
        return imports.goal_import_stale_fail(job=super().get_object())

    @extend_schema(
        request={"multipart/form-data": GoalImportUploadSerializer},
        responses={202: GoalImportSerializer},
    )
    def create(self, request, *args, **kwargs):
        body = GoalImportUploadSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        job = imports.goal_import_upload(
            organization=self.organization,
            cycle=body.validated_data["cycle"],
            created_by=self.membership,
            uploaded_file=body.validated_data["file"],
        )
        return Response(GoalImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: GoalImportSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request, *args, **kwargs):
        """Import a file checked with no bad row; 400 says why another cannot be."""
        job = imports.goal_import_apply(job=self.get_object())
        return Response(GoalImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: None})
    @action(detail=True, methods=["get"])
    def progress(self, request, *args, **kwargs):
        """{"status", "checked", "total", "fraction"} while the job runs."""
        job = self.get_object()
        return Response({"status": job.status, **imports.goal_import_progress(job)})


class CheckInViewSet(
    OrgScopedGenericViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):
    """Check-ins: added, never edited. Owner, their managers up the line, and admins log them."""

    queryset = CheckIn.objects.select_related("author__user").order_by("-created_at", "-id")
    serializer_class = CheckInSerializer
    write_role = Role.MANAGER
    filterset_fields = ["goal", "author", "confidence"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        goal = data.pop("goal")
        serializer.instance = services.checkin_log(goal=goal, author=self.membership, **data)


class CommitmentViewSet(
    OrgScopedGenericViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """C-team commitments to the corporate CX goal: one per executive per cycle."""

    queryset = Commitment.objects.select_related("executive__user")
    serializer_class = CommitmentSerializer
    write_role = Role.EXECUTIVE
    filterset_fields = ["cycle", "executive"]

    def perform_create(self, serializer):
        data, version = split_version(serializer)
        serializer.instance = services.commitment_save(
            executive=self.membership, by=self.membership, version=version, **data
        )

    def perform_update(self, serializer):
        data, version = split_version(serializer)
        instance = serializer.instance
        serializer.instance = services.commitment_save(
            cycle=instance.cycle,
            executive=instance.executive,
            statement=data.get("statement", instance.statement),
            goal=data.get("goal", instance.goal),
            version=version,
            by=self.membership,
        )


class InitiativeViewSet(OrgScopedViewSet):
    """Initiatives of units, with the KPIs they expect to move and the goals they serve."""

    queryset = (
        Initiative.objects.select_related("org_unit")
        .prefetch_related("effects", "goals")
        .order_by("-starts_on", "name")
    )
    serializer_class = InitiativeSerializer
    write_role = Role.MANAGER
    filterset_fields = ["cycle", "org_unit", "status", "kind"]
    search_fields = ["name"]
    create_service = services.initiative_create
    update_service = services.initiative_update
    delete_service = services.initiative_delete


class KPIEffectViewSet(OrgScopedViewSet):
    """KPIs an initiative expects to move (or moved as a side effect), up or down."""

    queryset = KPIEffect.objects.select_related("initiative__org_unit")
    serializer_class = KPIEffectSerializer
    write_role = Role.MANAGER
    filterset_fields = ["initiative", "kpi", "intended"]
    create_service = services.effect_create
    update_service = services.effect_update
    delete_service = services.effect_delete


class DecisionViewSet(OrgScopedViewSet):
    """The decision log: what would our best customers think of each decision?"""

    queryset = Decision.objects.prefetch_related("goals", "initiatives")
    serializer_class = DecisionSerializer
    write_role = Role.EXECUTIVE
    filterset_fields = ["cycle", "customer_view", "override", "decided_by"]
    search_fields = ["title"]
    create_service = services.decision_create
    update_service = services.decision_update


class CapabilityViewSet(OrgScopedViewSet):
    """Capabilities: current and needed level (0 to 5), owner and gap."""

    queryset = Capability.objects.all()
    serializer_class = CapabilitySerializer
    write_role = Role.CX_LEAD
    filterset_fields = ["owner", "org_unit"]
    search_fields = ["name"]
    create_service = services.capability_create
    update_service = services.capability_update
