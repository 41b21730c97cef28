"""The scenario pages, under /o/<org>/scenarios/ (DESIGN §6)."""

from django.urls import path

from .views import outcome, pages

urlpatterns = [
    path("scenarios/", pages.scenario_list, name="scenario-list"),
    path("scenarios/new/", pages.scenario_create, name="scenario-create"),
    path("scenarios/compare/", outcome.scenario_compare, name="scenario-compare"),
    path("scenarios/<int:pk>/", pages.scenario_detail, name="scenario-detail"),
    path("scenarios/<int:pk>/changes/", pages.change_add, name="scenario-change-add"),
    path("scenarios/<int:pk>/changes/<int:change>/move/", pages.change_move, name="scenario-change-move"),
    path("scenarios/<int:pk>/changes/<int:change>/remove/", pages.change_remove, name="scenario-change-remove"),
    path("scenarios/<int:pk>/functions/", pages.function_search, name="scenario-function-search"),
    path("scenarios/<int:pk>/apply/", outcome.scenario_apply, name="scenario-apply"),
    path("scenarios/<int:pk>/rebase/", outcome.scenario_rebase, name="scenario-rebase"),
    path("scenarios/<int:pk>/export/", outcome.scenario_export, name="scenario-export"),
    path("scenarios/<int:pk>/delete/", outcome.scenario_delete, name="scenario-delete"),
]
