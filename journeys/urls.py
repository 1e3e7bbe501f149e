from django.urls import path

from journeys import views

app_name = "journeys"

urlpatterns = [
    path("", views.JourneyIndexView.as_view(), name="index"),
    path("new/", views.JourneyStartView.as_view(), name="new"),
    path("import/", views.JourneyImportView.as_view(), name="import"),
    path("audiences/", views.AudienceListView.as_view(), name="audiences"),
    path("audiences/<int:pk>/edit/", views.AudienceEditView.as_view(), name="audience_edit"),
    path("audiences/<int:pk>/delete/", views.AudienceDeleteView.as_view(), name="audience_delete"),
    path("<int:pk>/", views.JourneyBoardView.as_view(), name="board"),
    path("<int:pk>/print/", views.JourneyPrintView.as_view(), name="print"),
    path("<int:pk>/export.csv", views.JourneyExportView.as_view(), name="export"),
    path("<int:pk>/edit/", views.JourneyEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.JourneyDeleteView.as_view(), name="delete"),
]
