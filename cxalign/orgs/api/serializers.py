from rest_framework import serializers

from cxalign.orgs.api.base import OrgModelSerializer
from cxalign.orgs.models import Invitation, Membership, Organization, OrgUnit
from cxalign.orgs.roles import Role


class OrganizationSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="Your role in this organization.")

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "role"]

    def get_role(self, organization) -> str | None:
        roles = self.context.get("roles", {})
        return roles.get(organization.id)


class MembershipSerializer(OrgModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "username",
            "name",
            "email",
            "role",
            "title",
            "unit",
            "reports_to",
            "is_active",
            "joined_at",
            "version",
        ]
        read_only_fields = ["is_active", "joined_at"]


class OrgUnitSerializer(OrgModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "name", "kind", "parent", "leader", "created_at", "updated_at", "version"]
        read_only_fields = ["created_at", "updated_at"]


class InvitationSerializer(OrgModelSerializer):
    status = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)
    version = None

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "unit", "status", "created_at", "expires_at"]
        read_only_fields = ["created_at", "expires_at"]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(
        allow_null=True, help_text="When it stops working (API_TOKEN_TTL_DAYS after issue)."
    )
