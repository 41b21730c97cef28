from django.urls import path, re_path

from .views import functions, imports, people

urlpatterns = [
    path("functions/", functions.function_list, name="function-list"),
    path("functions/new/", functions.function_create, name="function-create"),
    path("functions/<int:pk>/edit/", functions.function_edit, name="function-edit"),
    path("functions/<int:pk>/delete/", functions.function_delete, name="function-delete"),
    path("people/", people.people_list, name="people-list"),
    path("people/new/", people.person_create, name="person-create"),
    path("people/<int:pk>/edit/", people.person_edit, name="person-edit"),
    # Org-chart import and the people export in the same format (issue 3).
    path("import/", imports.import_start, name="import"),
    path("import/<uuid:token>/columns/", imports.import_mapping, name="import-mapping"),
    path("import/<uuid:token>/preview/", imports.import_preview, name="import-preview"),
    path("import/<uuid:token>/commit/", imports.import_commit, name="import-commit"),
    path("import/jobs/<uuid:token>/", imports.import_job, name="import-job"),
    re_path(r"^people/export\.(?P<fmt>csv|xlsx)$", imports.people_export, name="people-export"),
]
