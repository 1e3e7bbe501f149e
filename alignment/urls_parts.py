"""Pages of the planning brief and the manager view (included into `alignment.urls`)."""

from django.urls import path

from alignment.views_brief import BriefPdfView, BriefView
from alignment.views_manager import ManagerView

urlpatterns = [
    path("brief/", BriefView.as_view(), name="brief"),
    path("brief.pdf", BriefPdfView.as_view(), name="brief_pdf"),
    path("me/", ManagerView.as_view(), name="manager"),
]
