"""The app's addresses plus the floor views, for the benchmark only (bench/settings.py)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("_bench/bare/", views.bare, name="bench-bare"),
    path("_bench/query/<slug:org>/", views.one_query, name="bench-query"),
    path("_bench/o/<slug:org>/", views.signed_in, name="bench-signed-in"),
    path("", include("wholeproduct.urls")),
]
