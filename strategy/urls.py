from django.urls import path

from strategy import views

app_name = "strategy"

urlpatterns = [
    path("", views.StrategyHomeView.as_view(), name="home"),
    path("cascade/", views.CascadeView.as_view(), name="cascade"),
    path(
        "cascade/<int:pk>/children/", views.CascadeChildrenView.as_view(), name="cascade_children"
    ),
    path("cascade/export.<str:fmt>", views.CascadeExportView.as_view(), name="cascade_export"),
    path("cascade/import/", views.CascadeImportView.as_view(), name="cascade_import"),
    path(
        "cascade/import/<int:pk>/",
        views.CascadeImportDetailView.as_view(),
        name="cascade_import_detail",
    ),
    path(
        "cascade/import/<int:pk>/progress/",
        views.CascadeImportProgressView.as_view(),
        name="cascade_import_progress",
    ),
    path(
        "cascade/import/<int:pk>/apply/",
        views.CascadeImportApplyView.as_view(),
        name="cascade_import_apply",
    ),
    path("my-goals/", views.MyGoalsView.as_view(), name="my_goals"),
    path("goals/new/", views.GoalCreateView.as_view(), name="goal_create"),
    path("goals/<int:pk>/", views.GoalDetailView.as_view(), name="goal_detail"),
    path("goals/<int:pk>/edit/", views.GoalEditView.as_view(), name="goal_edit"),
    path("goals/<int:pk>/delete/", views.GoalDeleteView.as_view(), name="goal_delete"),
    path("vision/", views.VisionView.as_view(), name="vision"),
    path("vision/edit/", views.VisionEditView.as_view(), name="vision_edit"),
    path("models/", views.ModelsView.as_view(), name="models"),
    path("models/<int:pk>/edit/", views.ModelEditView.as_view(), name="model_edit"),
    path("models/<int:pk>/choices/", views.KeyChoiceCreateView.as_view(), name="keychoice_create"),
    path("choices/<int:pk>/edit/", views.KeyChoiceEditView.as_view(), name="keychoice_edit"),
    path("choices/<int:pk>/delete/", views.KeyChoiceDeleteView.as_view(), name="keychoice_delete"),
    path("cycles/", views.CycleListView.as_view(), name="cycles"),
    path("cycles/<int:pk>/edit/", views.CycleEditView.as_view(), name="cycle_edit"),
    path(
        "cycles/<int:pk>/carry-over/", views.CycleCarryOverView.as_view(), name="cycle_carry_over"
    ),
    path("commitments/", views.CommitmentsView.as_view(), name="commitments"),
    path("initiatives/", views.InitiativeListView.as_view(), name="initiatives"),
    path("initiatives/<int:pk>/", views.InitiativeDetailView.as_view(), name="initiative_detail"),
    path("initiatives/<int:pk>/edit/", views.InitiativeEditView.as_view(), name="initiative_edit"),
    path("effects/<int:pk>/delete/", views.EffectDeleteView.as_view(), name="effect_delete"),
    path("decisions/", views.DecisionListView.as_view(), name="decisions"),
    path("decisions/<int:pk>/edit/", views.DecisionEditView.as_view(), name="decision_edit"),
    path("capabilities/", views.CapabilityListView.as_view(), name="capabilities"),
    path("capabilities/<int:pk>/edit/", views.CapabilityEditView.as_view(), name="capability_edit"),
]
