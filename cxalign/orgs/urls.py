from django.urls import path

from cxalign.orgs import views

app_name = "orgs"

urlpatterns = [
    path("", views.OrgHomeView.as_view(), name="home"),
    path("people/", views.PeopleView.as_view(), name="people"),
    path("people/<int:pk>/edit/", views.MembershipEditView.as_view(), name="membership_edit"),
    path(
        "people/<int:pk>/deactivate/",
        views.MembershipDeactivateView.as_view(),
        name="membership_deactivate",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path("units/", views.UnitsView.as_view(), name="units"),
    path("settings/", views.OrgSettingsView.as_view(), name="settings"),
    path("units/<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path("units/<int:pk>/delete/", views.UnitDeleteView.as_view(), name="unit_delete"),
    path(
        "history/<str:app_label>/<str:model_name>/<int:pk>/",
        views.HistoryView.as_view(),
        name="history",
    ),
]
