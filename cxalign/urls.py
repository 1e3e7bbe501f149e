from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from cxalign.health import favicon, healthz
from cxalign.orgs import views as org_views
from cxalign.orgs.api import views as org_api

# Every organization-scoped endpoint lives below /api/v1/orgs/<org_slug>/: one rule scopes all.
org_api_urls = [
    path("", include("cxalign.orgs.api.urls")),
    path("", include("strategy.api.urls")),
    path("", include("journeys.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("kpis.api.urls")),
    path("alignment/", include("alignment.api.urls")),
]

org_page_urls = [
    path("", include("cxalign.orgs.urls")),
    path("strategy/", include("strategy.urls")),
    path("journeys/", include("journeys.urls")),
    path("feedback/", include("feedback.urls")),
    path("kpis/", include("kpis.urls")),
    path("alignment/", include("alignment.urls")),
]

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/password_reset/", org_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/profile/", org_views.profile, name="profile"),
    path(
        "accounts/profile/tokens/<str:token_key>/revoke/",
        org_views.api_token_revoke,
        name="api_token_revoke",
    ),
    path(
        "accounts/sign-out-everywhere/",
        org_views.sign_out_everywhere,
        name="sign_out_everywhere",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("invite/<str:token>/", org_views.invitation_accept, name="invitation_accept"),
    path("o/<slug:org_slug>/", include(org_page_urls)),
    path("api/v1/auth/token/", org_api.TokenView.as_view(), name="api-token"),
    path("api/v1/orgs/", org_api.OrganizationListView.as_view(), name="organization-list"),
    path("api/v1/orgs/<slug:org_slug>/", include(org_api_urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # ReDoc's template starts it inline; a read-only documentation page may run that.
    path(
        "api/redoc/",
        csp_update({"script-src": [UNSAFE_INLINE]})(
            SpectacularRedocView.as_view(url_name="schema")
        ),
        name="api-redoc",
    ),
]
