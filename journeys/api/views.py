"""The journeys API: audiences, journeys, and the board's stages, cards and pain points."""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cxalign.orgs.api.base import OrgScopedViewSet, split_version
from cxalign.orgs.api.parsers import SafeJSONParser
from cxalign.orgs.roles import Role
from cxalign.orgs.servicecall import service_call
from journeys import selectors, services
from journeys.api.serializers import (
    AudienceSerializer,
    JourneyCopySerializer,
    JourneyImportSerializer,
    JourneySerializer,
    JourneyTemplateSerializer,
    MoveSerializer,
    PainPointSerializer,
    StageOrderSerializer,
    StageSerializer,
    TouchpointSerializer,
)
from journeys.blueprints import BLUEPRINTS
from journeys.csvio import export_response
from journeys.models import Audience, Journey, PainPoint, Stage, Touchpoint

ANY = inline_serializer("JourneyBoard", fields={"revision": serializers.IntegerField()})


class BoardErrorsMixin:
    """A board that changed under the writer is a 409; a row deleted meanwhile is a 404."""

    def handle_exception(self, exc):
        if isinstance(exc, services.BoardChanged):
            return Response(
                {"detail": str(exc), "code": "board_changed"}, status=status.HTTP_409_CONFLICT
            )
        if isinstance(exc, ObjectDoesNotExist):
            exc = NotFound(str(exc) or "This no longer exists.")
        return super().handle_exception(exc)


class AudienceViewSet(OrgScopedViewSet):
    """Priority audiences, customer and employee, ranked (CX leads and up write)."""

    queryset = Audience.objects.all()
    serializer_class = AudienceSerializer
    write_role = Role.CX_LEAD
    filterset_fields = ["kind"]
    search_fields = ["name", "segment_key"]
    ordering_fields = ["rank", "name", "created_at"]

    create_service = services.audience_create
    update_service = services.audience_update
    delete_service = services.audience_delete

    def get_queryset(self):
        return selectors.audience_list(organization=self.organization)


class JourneyViewSet(BoardErrorsMixin, OrgScopedViewSet):
    """Journeys of the priority audiences, with the board, live changes, exports and imports."""

    queryset = Journey.objects.all()
    serializer_class = JourneySerializer
    write_role = Role.MEMBER
    filterset_fields = ["audience", "status"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "updated_at"]
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]
    create_service = services.journey_create
    update_service = services.journey_update
    delete_service = services.journey_delete

    def get_queryset(self):
        if getattr(self, "action", None) in ("list", "retrieve"):
            return selectors.journey_list(organization=self.organization)
        # Actions (the board, the live poll, writes) need the row, not the counts.
        return super().get_queryset().select_related("audience")

    def _journey(self):
        return self.get_org_object(Journey.objects.select_related("audience"), self.kwargs["pk"])

    @extend_schema(responses={200: ANY})
    @action(detail=True, methods=["get"])
    def board(self, request, *args, **kwargs):
        """Everything the journey-map editor shows: stages, cards, pain points, signals."""
        return Response(selectors.journey_board(journey=self._journey()))

    @extend_schema(
        parameters=[OpenApiParameter("since", int, description="The last revision you saw.")],
        responses={200: ANY},
    )
    @action(detail=True, methods=["get"])
    def changes(self, request, *args, **kwargs):
        """What changed on the board after revision `since` (deleted rows have deleted=true)."""
        try:
            since = int(request.query_params.get("since", "0"))
        except ValueError:
            raise ValidationError(
                {"since": ["Send the last revision you saw, a number."]}
            ) from None
        if since < 0:
            raise ValidationError({"since": ["The revision cannot be negative."]})
        journey = self.get_object()
        result = selectors.journey_changes(journey=journey, since=since)
        result["present"] = services.presence_touch(
            journey_id=journey.pk,
            member_id=self.membership.pk,
            name=self.membership.display_name,
        )
        return Response(result)

    @extend_schema(request=StageOrderSerializer, responses={200: ANY})
    @action(detail=True, methods=["post"], url_path="reorder-stages")
    def reorder_stages(self, request, *args, **kwargs):
        """Put the stages in a new order; every stage id once, or 409 if the board changed."""
        journey = self.get_object()
        serializer = StageOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revision = services.stages_reorder(
            journey=journey, order=serializer.validated_data["order"]
        )
        return Response({"revision": revision})

    @extend_schema(responses={200: ANY})
    @action(detail=True, methods=["get"])
    def signals(self, request, *args, **kwargs):
        """Silo signals of this journey: unowned touchpoints, data asked twice, unlinked moments."""
        return Response(selectors.journey_signals_get(journey=self._journey()))

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=True, methods=["get"], url_path="export")
    def export(self, request, *args, **kwargs):
        """The touchpoints as CSV (the same columns the import reads)."""
        journey = self._journey()
        return export_response(
            selectors.export_rows(journey=journey), filename=f"journey-{journey.pk}.csv"
        )

    @extend_schema(request=JourneyCopySerializer, responses={201: JourneySerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, *args, **kwargs):
        """A copy of this journey (stages, cards, pain points, links) under a new name."""
        journey = self.get_object()
        serializer = JourneyCopySerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        copy = services.journey_copy(journey=journey, **serializer.validated_data)
        return Response(self._out(copy), status=status.HTTP_201_CREATED)

    def _out(self, journey):
        return JourneySerializer(journey, context=self.get_serializer_context()).data

    @extend_schema(responses={200: ANY})
    @action(detail=False, methods=["get"])
    def templates(self, request, *args, **kwargs):
        """The templates a journey can start from."""
        return Response(
            [
                {
                    "key": key,
                    "name": b["name"],
                    "description": b["description"],
                    "audience_kind": b["audience_kind"],
                    "stages": len(b["stages"]),
                }
                for key, b in BLUEPRINTS.items()
            ]
        )

    @extend_schema(request=JourneyTemplateSerializer, responses={201: JourneySerializer})
    @action(detail=False, methods=["post"], url_path="from-template")
    def from_template(self, request, *args, **kwargs):
        """Start a journey from a template (B2B onboarding, B2C purchase, employee onboarding)."""
        serializer = JourneyTemplateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        journey = services.journey_from_template(
            organization=self.organization, **serializer.validated_data
        )
        return Response(self._out(journey), status=status.HTTP_201_CREATED)

    @extend_schema(request=JourneyImportSerializer, responses={200: ANY, 201: JourneySerializer})
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request, *args, **kwargs):
        """Create a journey from a CSV; all or nothing. `dry_run` answers the preview only."""
        serializer = JourneyImportSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.journey_import_csv(
            organization=self.organization,
            audience=data["audience"],
            name=data["name"],
            content=data["file"].read(),
            dry_run=data["dry_run"],
        )
        journey = result.pop("journey")
        body = {
            "errors": result["errors"],
            "stages": len(result["stages"]),
            "touchpoints": result["touchpoints"],
            "preview": result["preview"],
        }
        if result["errors"]:
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        if journey is None:
            return Response(body)
        return Response({**body, "journey": self._out(journey)}, status=status.HTTP_201_CREATED)


class BoardItemViewSet(BoardErrorsMixin, OrgScopedViewSet):
    """Shared by stages, touchpoints and pain points: soft delete with undo (`restore`).

    `delete_service` and `restore_service` take the item and return it."""

    write_role = Role.MEMBER
    restore_service = None

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "action", None) == "restore":
            queryset = self.queryset.model.all_objects.for_org(self.organization).filter(
                deleted_at__isnull=False
            )
        return queryset

    def destroy(self, request, *args, **kwargs):
        """Delete it (and what hangs on it); POST …/restore/ undoes the delete."""
        service = type(self).delete_service
        instance = service_call(service, membership=self.membership, instance=self.get_object())
        return Response(self.get_serializer(instance).data)

    @action(detail=True, methods=["post"])
    def restore(self, request, *args, **kwargs):
        """Undo a delete."""
        service = type(self).restore_service
        instance = service_call(service, membership=self.membership, instance=self.get_object())
        return Response(self.get_serializer(instance).data)


class StageViewSet(BoardItemViewSet):
    """Stages of a journey, in order (columns of the board)."""

    queryset = Stage.objects.all()
    serializer_class = StageSerializer
    filterset_fields = ["journey", "phase"]
    ordering_fields = ["position"]
    create_service = services.stage_create
    delete_service = services.stage_delete
    restore_service = services.stage_restore

    def get_queryset(self):
        return super().get_queryset().order_by("journey", "position", "id")

    def perform_update(self, serializer):
        data, version = split_version(serializer)
        data.pop("after", None)
        serializer.instance = services.stage_update(
            stage=serializer.instance, data=data, version=version
        )


class TouchpointViewSet(BoardItemViewSet):
    """Touchpoints (cards): edit their content here, move them with `move`."""

    queryset = Touchpoint.objects.all()
    serializer_class = TouchpointSerializer
    filterset_fields = ["journey", "stage", "owner", "channel", "moment_that_matters"]
    search_fields = ["name", "notes"]
    ordering_fields = ["position", "name"]
    delete_service = services.touchpoint_delete
    restore_service = services.touchpoint_restore

    def get_queryset(self):
        queryset = super().get_queryset()
        return selectors.touchpoint_queryset(queryset)

    def perform_create(self, serializer):
        data, _ = split_version(serializer)
        stage = data.pop("stage")
        after_id = data.pop("after", None)
        serializer.instance = services.touchpoint_create(stage=stage, after_id=after_id, **data)

    def perform_update(self, serializer):
        data, version = split_version(serializer)
        if "after" in data:
            raise ValidationError({"after": ["Move a card with the move action."]})
        if "stage" in data and data["stage"].pk == serializer.instance.stage_id:
            data.pop("stage")  # a full PUT repeats the stage it has: not a move
        links = {name: data.pop(name) for name in selectors.LINKS if name in data}
        serializer.instance = services.touchpoint_update(
            touchpoint=serializer.instance, data=data, version=version, **links
        )

    @extend_schema(request=MoveSerializer, responses={200: TouchpointSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        """Drag and drop: put the card just after `after` in `stage` (null: at the top)."""
        touchpoint = self.get_object()
        serializer = MoveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        touchpoint = services.touchpoint_move(
            touchpoint=touchpoint,
            stage=serializer.validated_data["stage"],
            after_id=serializer.validated_data["after"],
        )
        return Response(
            {**selectors.touchpoint_data(touchpoint), "revision": touchpoint.rev},
        )


class PainPointViewSet(BoardItemViewSet):
    """Pain points and opportunities on a stage or a touchpoint."""

    queryset = PainPoint.objects.select_related("touchpoint")
    serializer_class = PainPointSerializer
    filterset_fields = ["journey", "stage", "touchpoint", "kind"]
    update_service = services.painpoint_update
    delete_service = services.painpoint_delete
    restore_service = services.painpoint_restore

    def perform_create(self, serializer):
        data, _ = split_version(serializer)
        touchpoint = data.get("touchpoint")
        stage = data.pop("stage", None) or touchpoint.stage
        if touchpoint is not None and touchpoint.stage_id != stage.pk:
            raise ValidationError({"touchpoint": ["Choose a touchpoint of the same stage."]})
        serializer.instance = services.painpoint_create(stage=stage, **data)
