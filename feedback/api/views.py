"""Endpoints of the voice of customer under /api/v1/orgs/{org_slug}/: thin, over services."""

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response as ApiResponse

from cxalign.orgs.api.base import OrgScopedGenericViewSet, OrgScopedViewSet, split_version
from cxalign.orgs.models import Membership
from cxalign.orgs.roles import Role
from feedback import selectors, services
from feedback.api import serializers as s
from feedback.filtersets import ResponseFilter
from feedback.models import Customer, ImportBatch, Response, Source, Theme
from strategy.models import Goal, Initiative


class ResponseViewSet(OrgScopedGenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Survey responses, newest first; the filters are `feedback.filtersets.ResponseFilter`."""

    queryset = Response.objects.all()
    serializer_class = s.ResponseSerializer
    write_role = Role.MEMBER
    action_roles = {"followup": Role.MEMBER}
    filter_backends = [DjangoFilterBackend]
    filterset_class = ResponseFilter

    def get_queryset(self):
        return selectors.response_list(organization=self.organization).order_by(
            "-responded_at", "-id"
        )

    @extend_schema(request=s.FollowUpWriteSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def followup(self, request, *args, **kwargs):
        """Assign or progress the follow-up of a detractor's response."""
        response = self.get_object()
        data = s.FollowUpWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = None
        if data.validated_data.get("owner"):
            owner = self.get_org_object(Membership, data.validated_data["owner"])
        followup = services.followup_save(
            response=response,
            by=self.membership,
            owner=owner,
            status=data.validated_data["status"],
            note=data.validated_data["note"],
            version=data.validated_data.get("version"),
        )
        return ApiResponse(
            {
                "id": followup.id,
                "status": followup.status,
                "owner": followup.owner_id,
                "note": followup.note,
                "version": followup.version,
            }
        )


class ImportViewSet(OrgScopedGenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Imports: upload (multipart), check (preview), commit, cancel; counts and first errors."""

    queryset = ImportBatch.objects.select_related("source")
    serializer_class = s.ImportBatchSerializer
    write_role = Role.CX_LEAD
    parser_classes = [MultiPartParser, FormParser, *OrgScopedGenericViewSet.parser_classes]

    @extend_schema(
        request={"multipart/form-data": s.ImportUploadSerializer},
        responses={201: s.ImportBatchSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = s.ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        source = services.source_resolve(
            organization=self.organization, kind=d["kind"], name=d.get("source", "")
        )
        batch = services.import_batch_upload(
            organization=self.organization,
            created_by=self.membership,
            uploaded_file=d["file"],
            kind=d["kind"],
            source=source,
        )
        return ApiResponse(s.ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ImportPreviewSerializer, responses={202: s.ImportBatchSerializer})
    @action(detail=True, methods=["post"])
    def preview(self, request, *args, **kwargs):
        """Save the column mapping and check the whole file (writes nothing)."""
        data = s.ImportPreviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.import_batch_preview(
            batch=self.get_object(),
            mapping=data.validated_data["column_mapping"],
            dayfirst=data.validated_data["dayfirst"],
        )
        batch.refresh_from_db()
        return ApiResponse(s.ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=s.ImportCommitSerializer, responses={202: s.ImportBatchSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request, *args, **kwargs):
        """Import the file: skip bad rows, or all or nothing."""
        data = s.ImportCommitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.import_batch_commit(
            batch=self.get_object(), all_or_nothing=data.validated_data["all_or_nothing"]
        )
        batch.refresh_from_db()
        return ApiResponse(s.ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        outcome = services.import_batch_cancel(batch=self.get_object())
        return ApiResponse({"status": outcome})

    @extend_schema(responses={200: None})
    @action(detail=True, methods=["get"])
    def progress(self, request, *args, **kwargs):
        batch = self.get_object()
        return ApiResponse({"status": batch.status, **services.import_progress(batch)})


class ThemeViewSet(OrgScopedViewSet):
    """Themes with their rules; add a rule with POST .../rules/ {pattern}; re-tag with POST retag/."""

    queryset = Theme.objects.select_related("owner_unit").prefetch_related(
        "rules",
        Prefetch("goals", queryset=Goal.objects.only("id")),
        Prefetch("initiatives", queryset=Initiative.objects.only("id")),
    )
    serializer_class = s.ThemeSerializer
    write_role = Role.CX_LEAD
    update_service = services.theme_update
    delete_service = services.theme_delete

    @extend_schema(request=s.ThemeRuleSerializer, responses={201: s.ThemeRuleSerializer})
    @action(detail=True, methods=["post"])
    def rules(self, request, *args, **kwargs):
        body = s.ThemeRuleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rule = services.rule_add(theme=self.get_object(), pattern=body.validated_data["pattern"])
        return ApiResponse(s.ThemeRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: None})
    @action(detail=False, methods=["post"])
    def retag(self, request, *args, **kwargs):
        services.themes_retag_start(organization=self.organization)
        return ApiResponse({"status": "queued"}, status=status.HTTP_202_ACCEPTED)

    def perform_create(self, serializer):
        data, _ = split_version(serializer)  # theme_create takes its fields as one `data`
        serializer.instance = services.theme_create(organization=self.organization, data=data)


class SourceViewSet(
    OrgScopedGenericViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    """Where feedback comes from (a survey tool or an export), with its remembered mapping."""

    queryset = Source.objects.all()
    serializer_class = s.SourceSerializer
    write_role = Role.CX_LEAD
    update_service = services.source_update


class CustomerViewSet(OrgScopedGenericViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Imported customer records; ?search= matches the id or the segment."""

    queryset = Customer.objects.order_by("customer_id")
    serializer_class = s.CustomerSerializer
    search_fields = ["customer_id", "segment"]
