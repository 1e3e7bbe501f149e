from rest_framework.routers import SimpleRouter

from feedback.api import views

router = SimpleRouter()
router.register("feedback/responses", views.ResponseViewSet, basename="feedback-response")
router.register("feedback/imports", views.ImportViewSet, basename="feedback-import")
router.register("feedback/themes", views.ThemeViewSet, basename="feedback-theme")
router.register("feedback/customers", views.CustomerViewSet, basename="feedback-customer")
router.register("feedback/sources", views.SourceViewSet, basename="feedback-source")

urlpatterns = router.urls
