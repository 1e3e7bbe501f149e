"""The base of every organization-scoped endpoint: tenancy, roles, versions and errors."""

from collections.abc import Mapping

from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from cxalign.orgs.concurrency import object_update
from cxalign.orgs.roles import Role, role_at_least
from cxalign.orgs.selectors import object_history
from cxalign.orgs.servicecall import service_call
from cxalign.orgs.stamps import stamp_forget
from cxalign.orgs.tenancy import (
    SAFE_METHODS,
    OrgObjectsMixin,
    membership_get,
    role_required_message,
    scope_related_fields,
)

ORG_SLUG_PARAMETER = OpenApiParameter(
    "org_slug", str, OpenApiParameter.PATH, description="The organization's slug, e.g. northwind."
)


def split_version(serializer) -> tuple[dict, int | None]:
    """A serializer's validated data without `version`, and the version (None on create)."""
    data = dict(serializer.validated_data)
    return data, data.pop("version", None)


class HasOrgRole(BasePermission):
    """Maps the request to the role the view requires and compares it with the membership."""

    def has_permission(self, request, view) -> bool:
        membership = view.membership  # 404 for non-members, before any role talk
        required = view.required_role()
        if not role_at_least(membership.role, required):
            raise PermissionDenied(role_required_message(membership=membership, required=required))
        return True


class OrgScopedMixin(OrgObjectsMixin):
    """Resolves the organization from the URL and scopes the queryset to it."""

    permission_classes = [IsAuthenticated, HasOrgRole]
    read_role: str = Role.VIEWER
    write_role: str = Role.ADMIN
    action_roles: dict[str, str] = {}

    @cached_property
    def membership(self):
        return membership_get(user=self.request.user, org_slug=self.kwargs["org_slug"])

    def finalize_response(self, request, response, *args, **kwargs):
        if request.method not in SAFE_METHODS and "membership" in self.__dict__:
            stamp_forget(self.membership.organization_id)  # the organization's data changed
        return super().finalize_response(request, response, *args, **kwargs)

    @property
    def organization(self):
        return self.membership.organization

    def required_role(self) -> str:
        action = getattr(self, "action", None)
        if action in self.action_roles:
            return self.action_roles[action]
        return self.read_role if self.request.method in SAFE_METHODS else self.write_role

    def get_queryset(self):
        return super().get_queryset().for_org(self.organization)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "org_slug" in self.kwargs and self.request.user.is_authenticated:
            context["organization"] = self.organization
            context["membership"] = self.membership
        return context


@extend_schema(parameters=[ORG_SLUG_PARAMETER])
class OrgScopedGenericViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    """Base of every viewset under /api/v1/orgs/{org_slug}/; other organizations' rows are 404.

    Writes go through the services the viewset declares (see `cxalign.orgs.servicecall`):
    `create_service(**fields)`, `update_service(<object>, data=, version=)` and
    `delete_service(<object>)`, each with `organization=` / `by=` when it takes them. Without
    one, the serializer saves (create with the organization, update with the version check).
    """

    lookup_value_regex = r"\d+"
    create_service = None
    update_service = None
    delete_service = None

    def perform_create(self, serializer):
        service = type(self).create_service
        if service is None:
            serializer.save(organization=self.organization)
            return
        data, _ = split_version(serializer)
        serializer.instance = service_call(service, membership=self.membership, **data)

    def perform_update(self, serializer):
        service = type(self).update_service
        if service is None:
            serializer.save()
            return
        data, version = split_version(serializer)
        serializer.instance = service_call(
            service,
            membership=self.membership,
            instance=serializer.instance,
            data=data,
            version=version,
        )

    def perform_destroy(self, instance):
        service = type(self).delete_service
        if service is None:
            instance.delete()
            return
        service_call(service, membership=self.membership, instance=instance)

    @extend_schema(responses={200: serializers.ListSerializer(child=serializers.DictField())})
    @action(detail=True, methods=["get"])
    def history(self, request, *args, **kwargs):
        """Who changed this object, when, and what changed (newest first)."""
        obj = self.get_object()
        if not hasattr(type(obj), "history"):
            raise NotFound("This kind of object keeps no change history.")
        return Response(object_history(obj))


class OrgScopedViewSet(
    OrgScopedGenericViewSet,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
):
    """Full CRUD, scoped to the organization of the URL, through the declared services.

    A viewset with fewer actions lists `OrgScopedGenericViewSet` first and DRF's mixins after
    it, as here: DRF's own `perform_*` would save without the organization and the services.
    """


class OrgModelSerializer(serializers.ModelSerializer):
    """Rejects unknown fields, scopes related fields, and writes with version checks."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you last read; required on update. A stale one answers 409.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is not None:
            scope_related_fields(self.fields, organization)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field: this resource has no such field."] for name in unknown}
                )
        return super().to_internal_value(data)

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError(
                {"version": ["Send the version you last read, so no one's change is lost."]}
            )
        return super().validate(attrs)

    def _split_many(self, validated_data):
        many = {}
        for name, field in self.fields.items():
            if isinstance(field, serializers.ManyRelatedField) and name in validated_data:
                many[name] = validated_data.pop(name)
        return many

    def create(self, validated_data):
        validated_data.pop("version", None)
        many = self._split_many(validated_data)
        instance = self.Meta.model(**validated_data)
        instance.full_clean()
        instance.save()
        for name, values in many.items():
            getattr(instance, name).set(values)
        return instance

    def update(self, instance, validated_data):
        version = validated_data.pop("version")
        many = self._split_many(validated_data)
        instance = object_update(instance=instance, data=validated_data, version=version)
        for name, values in many.items():
            getattr(instance, name).set(values)
        return instance
