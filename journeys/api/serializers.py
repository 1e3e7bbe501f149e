"""Serializers of the journeys API; the board's row shapes come from `journeys.selectors`."""

from rest_framework import serializers

from cxalign.orgs.api.base import OrgModelSerializer
from journeys import selectors
from journeys.models import (
    DATA_FIELD_MAX,
    DATA_FIELDS_MAX,
    Audience,
    Journey,
    PainPoint,
    Stage,
    Touchpoint,
)


class AudienceSerializer(OrgModelSerializer):
    journey_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Audience
        fields = [
            "id",
            "name",
            "kind",
            "rank",
            "segment_key",
            "why_it_matters",
            "value_note",
            "size_note",
            "journey_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness is checked on the whole row by the service (a clear 400 per field).
        validators: list = []


class JourneySerializer(OrgModelSerializer):
    audience_name = serializers.CharField(source="audience.name", read_only=True)
    stage_count = serializers.IntegerField(read_only=True, default=None)
    touchpoint_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Journey
        fields = [
            "id",
            "audience",
            "audience_name",
            "name",
            "description",
            "status",
            "template_key",
            "revision",
            "stage_count",
            "touchpoint_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["template_key", "revision", "created_at", "updated_at"]
        validators: list = []


class StageSerializer(OrgModelSerializer):
    after = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(),
        required=False,
        allow_null=True,
        write_only=True,
        help_text="Create the stage just after this one (default: at the end).",
    )

    class Meta:
        model = Stage
        fields = [
            "id",
            "journey",
            "name",
            "phase",
            "position",
            "customer_goal",
            "customer_actions",
            "emotion",
            "emotion_note",
            "after",
            "version",
        ]
        read_only_fields = ["position"]

    def validate(self, attrs):
        if self.instance is not None and "journey" in attrs:
            if attrs["journey"].pk != self.instance.journey_id:
                raise serializers.ValidationError(
                    {"journey": ["A stage stays in its journey; copy the journey instead."]}
                )
            attrs.pop("journey")
        if self.instance is None and "journey" not in attrs:
            raise serializers.ValidationError({"journey": ["Name the journey of the stage."]})
        return super().validate(attrs)

    def to_representation(self, instance):
        return selectors.stage_data(instance)


class TouchpointSerializer(OrgModelSerializer):
    data_fields = serializers.ListField(
        child=serializers.CharField(max_length=DATA_FIELD_MAX, allow_blank=True),
        max_length=DATA_FIELDS_MAX,
        required=False,
        help_text="The data the touchpoint asks for, e.g. ['email', 'vat number'].",
    )
    after = serializers.IntegerField(
        required=False,
        allow_null=True,
        write_only=True,
        help_text="Create the card just after this touchpoint (default: at the end).",
    )

    class Meta:
        model = Touchpoint
        fields = [
            "id",
            "journey",
            "stage",
            "position",
            "name",
            "channel",
            "owner",
            "moment_that_matters",
            "customer_action",
            "data_fields",
            "notes",
            "after",
            "version",
        ]
        read_only_fields = ["journey", "position"]

    def get_fields(self):
        fields = super().get_fields()
        if selectors.links_enabled():
            for name in selectors.LINKS:
                model = Touchpoint._meta.get_field(name).related_model
                fields[name] = serializers.PrimaryKeyRelatedField(
                    queryset=model.objects.all(), many=True, required=False
                )
        return fields

    def validate(self, attrs):
        if self.instance is None and "stage" not in attrs:
            raise serializers.ValidationError({"stage": ["Name the stage of the touchpoint."]})
        return super().validate(attrs)

    def to_representation(self, instance):
        return selectors.touchpoint_data(instance)


class PainPointSerializer(OrgModelSerializer):
    class Meta:
        model = PainPoint
        fields = [
            "id",
            "journey",
            "stage",
            "touchpoint",
            "kind",
            "text",
            "detail",
            "severity",
            "version",
        ]
        read_only_fields = ["journey"]

    def validate(self, attrs):
        if self.instance is None and "stage" not in attrs and not attrs.get("touchpoint"):
            raise serializers.ValidationError({"stage": ["Name the stage or the touchpoint."]})
        return super().validate(attrs)

    def to_representation(self, instance):
        return selectors.painpoint_data(instance)


class MoveSerializer(serializers.Serializer):
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(), help_text="The stage the card goes to."
    )
    after = serializers.IntegerField(
        allow_null=True,
        required=False,
        default=None,
        help_text="The card it goes just after; null puts it at the top of the column.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is not None:
            self.fields["stage"].queryset = Stage.objects.for_org(organization)


class StageOrderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=500,
        help_text="Every stage id of the journey, in the new order.",
    )


class JourneyCopySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    audience = serializers.PrimaryKeyRelatedField(queryset=Audience.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is not None:
            self.fields["audience"].queryset = Audience.objects.for_org(organization)


class JourneyTemplateSerializer(JourneyCopySerializer):
    template = serializers.ChoiceField(choices=[])
    audience = serializers.PrimaryKeyRelatedField(queryset=Audience.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from journeys.blueprints import BLUEPRINTS

        self.fields["template"].choices = [(k, b["name"]) for k, b in BLUEPRINTS.items()]


class JourneyImportSerializer(JourneyCopySerializer):
    audience = serializers.PrimaryKeyRelatedField(queryset=Audience.objects.all())
    file = serializers.FileField(help_text="A CSV with the columns of the touchpoint export.")
    dry_run = serializers.BooleanField(
        default=False, help_text="Only check the file and answer the preview."
    )
