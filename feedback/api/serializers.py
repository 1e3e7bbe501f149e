"""Serializers of the feedback API: they pass data to services and decide nothing."""

from rest_framework import serializers

from cxalign.orgs.api.base import OrgModelSerializer
from feedback.models import Customer, ImportBatch, Response, Source, Theme, ThemeRule


class ResponseSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name", read_only=True)
    themes = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = [
            "id",
            "source",
            "response_id",
            "customer_id",
            "responded_at",
            "nps",
            "csat",
            "ces",
            "channel",
            "comment",
            "segment",
            "touchpoint",
            "touchpoint_name",
            "themes",
            "extra",
        ]
        read_only_fields = fields

    def get_themes(self, obj) -> list[str]:
        return [name for name, _ in obj.theme_names]


class ImportBatchSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name", read_only=True, default=None)
    unknown_touchpoints = serializers.DictField(
        read_only=True, help_text="Rows naming a touchpoint no journey has: count and examples."
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "source",
            "file_name",
            "file_format",
            "status",
            "dry_run",
            "message",
            "headers",
            "column_mapping",
            "options",
            "rows_read",
            "rows_new",
            "rows_updated",
            "rows_unchanged",
            "rows_rejected",
            "errors",
            "unknown_touchpoints",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(
        choices=ImportBatch.Kind.choices, default=ImportBatch.Kind.FEEDBACK
    )
    source = serializers.CharField(
        required=False, allow_blank=True, help_text="Source name; created if new."
    )


class ImportPreviewSerializer(serializers.Serializer):
    column_mapping = serializers.DictField(child=serializers.CharField(allow_blank=True))
    dayfirst = serializers.BooleanField(default=False)
    encoding = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="A CSV's text encoding (e.g. cp1252, utf-8) when the guess in file_format "
        "is wrong; the file is read again in it.",
    )


class ImportCommitSerializer(serializers.Serializer):
    all_or_nothing = serializers.BooleanField(default=False)


class ThemeRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThemeRule
        fields = ["id", "pattern"]


class ThemeSerializer(OrgModelSerializer):
    rules = ThemeRuleSerializer(many=True, read_only=True)

    class Meta:
        model = Theme
        fields = [
            "id",
            "name",
            "business_need",
            "owner_unit",
            "description",
            "rules",
            "goals",
            "initiatives",
            "version",
        ]


class SourceSerializer(OrgModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "name", "kind", "description", "column_mapping", "version"]


class FollowUpWriteSerializer(serializers.Serializer):
    owner = serializers.IntegerField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=["open", "contacted", "resolved"])
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, allow_null=True)


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "customer_id",
            "segment",
            "start_date",
            "revenue",
            "clv",
            "churned_on",
            "onboarding_success",
        ]
        read_only_fields = fields
