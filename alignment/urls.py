from django.urls import include, path

from alignment import views

app_name = "alignment"

urlpatterns = [
    path("", views.LinksView.as_view(), name="links"),
    path("export/", views.LinksExportView.as_view(), name="links_export"),
    path("flags/", views.FlagListView.as_view(), name="flags"),
    path("flags/export/", views.FlagExportView.as_view(), name="flags_export"),
    path("flags/<int:pk>/", views.FlagDetailView.as_view(), name="flag_detail"),
    path(
        "flags/<int:pk>/acknowledge/",
        views.FlagAcknowledgeView.as_view(),
        name="flag_acknowledge",
    ),
    path("flags/<int:pk>/reopen/", views.FlagReopenView.as_view(), name="flag_reopen"),
    path("runs/", views.RunListView.as_view(), name="runs"),
    path("runs/compare/", views.RunCompareView.as_view(), name="run_compare"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/progress/", views.RunProgressView.as_view(), name="run_progress"),
    path("", include("alignment.urls_parts")),
]
