from django.urls import path

from .views import functions, people

urlpatterns = [
    path("functions/", functions.function_list, name="function-list"),
    path("functions/new/", functions.function_create, name="function-create"),
    path("functions/<int:pk>/edit/", functions.function_edit, name="function-edit"),
    path("functions/<int:pk>/delete/", functions.function_delete, name="function-delete"),
    path("people/", people.people_list, name="people-list"),
    path("people/new/", people.person_create, name="person-create"),
    path("people/<int:pk>/edit/", people.person_edit, name="person-edit"),
]
