"""Pages of the planning brief, the manager view and the dashboard (included into
`alignment.urls`)."""

from django.urls import path

from alignment.views_brief import BriefPdfView, BriefView
from alignment.views_dashboard import DashboardChartCsvView, DashboardView
from alignment.views_manager import ManagerView

urlpatterns = [
    path("brief/", BriefView.as_view(), name="brief"),
    path("brief.pdf", BriefPdfView.as_view(), name="brief_pdf"),
    path("me/", ManagerView.as_view(), name="manager"),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("dashboard/chart.csv", DashboardChartCsvView.as_view(), name="dashboard_chart_csv"),
]
