from django.urls import path
from rest_framework.routers import SimpleRouter

from alignment.api import views

router = SimpleRouter()
router.register("runs", views.RunViewSet, basename="alignment-run")
router.register("flags", views.FlagViewSet, basename="alignment-flag")

urlpatterns = [
    path("links/", views.LinksView.as_view(), name="alignment-links"),
    *router.urls,
]
