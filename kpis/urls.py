from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("catalogue/", views.KPIListView.as_view(), name="kpi_list"),
    path("catalogue/<int:pk>/edit/", views.KPIEditView.as_view(), name="kpi_edit"),
    path("catalogue/<int:pk>/delete/", views.KPIDeleteView.as_view(), name="kpi_delete"),
]
