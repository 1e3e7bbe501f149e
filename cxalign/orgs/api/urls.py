from django.urls import path
from rest_framework.routers import SimpleRouter

from cxalign.orgs.api import views

router = SimpleRouter()
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("units", views.OrgUnitViewSet, basename="orgunit")
router.register("invitations", views.InvitationViewSet, basename="invitation")

urlpatterns = [
    path("", views.OrganizationDetailView.as_view(), name="organization-detail"),
    *router.urls,
]
