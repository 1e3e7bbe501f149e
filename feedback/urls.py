from django.urls import path

from feedback import views, views_actions

app_name = "feedback"

urlpatterns = [
    path("", views.FeedbackHomeView.as_view(), name="home"),
    path("responses/", views.ResponseListView.as_view(), name="responses"),
    path("responses/export/", views.ResponseExportView.as_view(), name="response_export"),
    path("responses/<int:pk>/", views.ResponseDetailView.as_view(), name="response_detail"),
    path("imports/", views.ImportListView.as_view(), name="imports"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/preview/", views.ImportPreviewView.as_view(), name="import_preview"),
    path("imports/<int:pk>/commit/", views.ImportCommitView.as_view(), name="import_commit"),
    path("imports/<int:pk>/cancel/", views.ImportCancelView.as_view(), name="import_cancel"),
    path("imports/<int:pk>/progress/", views.ImportProgressView.as_view(), name="import_progress"),
    path(
        "imports/<int:pk>/errors.csv", views.ImportErrorReportView.as_view(), name="import_errors"
    ),
    path("sources/<int:pk>/", views.SourceEditView.as_view(), name="source_edit"),
    path("themes/", views.ThemeListView.as_view(), name="themes"),
    path("themes/retag/", views.ThemeRetagView.as_view(), name="themes_retag"),
    path("themes/suggestions/", views.SuggestionAcceptView.as_view(), name="suggestion_accept"),
    path("themes/<int:pk>/", views.ThemeDetailView.as_view(), name="theme_detail"),
    path("themes/<int:pk>/links/", views.ThemeLinkView.as_view(), name="theme_link"),
    path(
        "themes/answers/goal/<int:pk>/",
        views.ThemeAnswersView.as_view(),
        {"kind": "goal"},
        name="answers_goal",
    ),
    path(
        "themes/answers/initiative/<int:pk>/",
        views.ThemeAnswersView.as_view(),
        {"kind": "initiative"},
        name="answers_initiative",
    ),
    path(
        "themes/preview/",
        views_actions.PatternsPreviewView.as_view(),
        name="patterns_preview",
    ),
    path("themes/<int:pk>/rules/", views.RuleAddView.as_view(), name="rule_add"),
    path(
        "themes/<int:pk>/rules/preview/",
        views_actions.RulePreviewView.as_view(),
        name="rule_preview",
    ),
    path(
        "themes/<int:pk>/rules/<int:rule_pk>/delete/",
        views.RuleDeleteView.as_view(),
        name="rule_delete",
    ),
    path("triage/", views.TriageView.as_view(), name="triage"),
    path("triage/<int:pk>/tag/", views.TriageTagView.as_view(), name="triage_tag"),
    path("triage/tag/", views_actions.TriageBulkTagView.as_view(), name="triage_bulk"),
    path("followups/", views.FollowUpListView.as_view(), name="followups"),
    path("followups/<int:pk>/", views.FollowUpSaveView.as_view(), name="followup_save"),
    path("followups/bulk/", views_actions.FollowUpBulkView.as_view(), name="followups_bulk"),
    path("customers/", views.CustomerListView.as_view(), name="customers"),
]
