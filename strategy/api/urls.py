from django.urls import path
from rest_framework.routers import SimpleRouter

from strategy.api import views

router = SimpleRouter()
router.register("governing-models", views.GoverningModelViewSet, basename="strategy-model")
router.register("key-choices", views.KeyChoiceViewSet, basename="strategy-keychoice")
router.register("cycles", views.CycleViewSet, basename="strategy-cycle")
router.register("goals", views.GoalViewSet, basename="strategy-goal")
router.register("goal-imports", views.GoalImportViewSet, basename="strategy-goal-import")
router.register("checkins", views.CheckInViewSet, basename="strategy-checkin")
router.register("commitments", views.CommitmentViewSet, basename="strategy-commitment")
router.register("initiatives", views.InitiativeViewSet, basename="strategy-initiative")
router.register("initiative-effects", views.KPIEffectViewSet, basename="strategy-effect")
router.register("decisions", views.DecisionViewSet, basename="strategy-decision")
router.register("capabilities", views.CapabilityViewSet, basename="strategy-capability")

urlpatterns = [
    path("vision/", views.VisionView.as_view(), name="strategy-vision"),
    *router.urls,
]
