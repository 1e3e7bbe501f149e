from rest_framework.routers import SimpleRouter

from journeys.api import views

router = SimpleRouter()
router.register("audiences", views.AudienceViewSet, basename="journeys-audience")
router.register("journeys", views.JourneyViewSet, basename="journeys-journey")
router.register("stages", views.StageViewSet, basename="journeys-stage")
router.register("touchpoints", views.TouchpointViewSet, basename="journeys-touchpoint")
router.register("pain-points", views.PainPointViewSet, basename="journeys-painpoint")

urlpatterns = router.urls
