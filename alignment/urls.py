from django.urls import include, path

app_name = "alignment"

urlpatterns: list = [
    path("", include("alignment.urls_parts")),
]
