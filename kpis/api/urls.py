from rest_framework.routers import SimpleRouter

from kpis.api import views

router = SimpleRouter()
router.register("kpis", views.KPIViewSet, basename="kpis-kpi")
router.register("kpi-measurements", views.MeasurementViewSet, basename="kpis-measurement")

urlpatterns = router.urls
