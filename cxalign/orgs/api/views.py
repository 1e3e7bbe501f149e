from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cxalign.orgs import services
from cxalign.orgs.api.base import (
    ORG_SLUG_PARAMETER,
    OrgScopedGenericViewSet,
    OrgScopedMixin,
    OrgScopedViewSet,
)
from cxalign.orgs.api.serializers import (
    InvitationSerializer,
    MembershipSerializer,
    OrganizationSerializer,
    OrgUnitSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from cxalign.orgs.auth import api_token_issue
from cxalign.orgs.clientip import ClientIPScopedRateThrottle
from cxalign.orgs.models import Invitation, Membership, Organization, OrgUnit
from cxalign.orgs.roles import Role
from cxalign.orgs.selectors import memberships_of_user


class TokenView(APIView):
    """Exchange a username and password for an API token (rate limited)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ClientIPScopedRateThrottle]
    throttle_scope = "token"

    def get_authenticate_header(self, request):
        return "Token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed("Wrong username or password.")
        issued = api_token_issue(user=user)
        return Response({"token": issued.token, "expiry": issued.expiry})


class OrganizationListView(generics.ListAPIView):
    """The organizations you belong to, with your role in each."""

    serializer_class = OrganizationSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    # The list is a few memberships in Python, not a query set: no search or ordering.
    filter_backends = []
    queryset = Organization.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organization.objects.none()
        self._memberships = list(memberships_of_user(user=self.request.user))
        return [m.organization for m in self._memberships]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        memberships = getattr(self, "_memberships", [])
        context["roles"] = {m.organization_id: m.role for m in memberships}
        return context


@extend_schema(parameters=[ORG_SLUG_PARAMETER])
class OrganizationDetailView(OrgScopedMixin, generics.RetrieveAPIView):
    """One organization you belong to."""

    serializer_class = OrganizationSerializer

    def get_object(self):
        return self.organization

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["roles"] = {self.organization.id: self.membership.role}
        return context


class MembershipViewSet(
    OrgScopedGenericViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """People of the organization. New people join through invitations."""

    queryset = Membership.objects.select_related("user", "unit")
    serializer_class = MembershipSerializer
    write_role = Role.ADMIN
    filterset_fields = ["role", "unit", "is_active"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "title"]
    ordering_fields = ["user__username", "role", "joined_at"]
    http_method_names = ["get", "put", "patch", "delete", "head", "options"]
    update_service = services.membership_update
    delete_service = services.membership_deactivate


class OrgUnitViewSet(OrgScopedViewSet):
    """The org-unit tree: departments, their parents and leaders."""

    queryset = OrgUnit.objects.all()
    serializer_class = OrgUnitSerializer
    write_role = Role.ADMIN
    filterset_fields = ["kind", "parent"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    create_service = services.orgunit_create
    update_service = services.orgunit_update
    delete_service = services.orgunit_delete


class InvitationViewSet(
    OrgScopedGenericViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
):
    """Invitations of new members (admins only). DELETE withdraws a pending one."""

    queryset = Invitation.objects.select_related("unit")
    serializer_class = InvitationSerializer
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    http_method_names = ["get", "post", "delete", "head", "options"]
    delete_service = services.invitation_revoke

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation, _token = services.invitation_create(
            organization=self.organization,
            invited_by=self.membership,
            email=data["email"],
            role=data["role"],
            unit=data.get("unit"),
        )
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(exclude=True)
    def history(self, request, *args, **kwargs):
        return Response(status=status.HTTP_404_NOT_FOUND)
