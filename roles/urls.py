from django.urls import path, re_path

from .views import activity, functions, home, imports, invites, members, people, web

urlpatterns = [
    path("switcher/", home.org_switcher, name="org-switcher"),
    path("functions/", functions.function_list, name="function-list"),
    path("functions/new/", functions.function_create, name="function-create"),
    path("functions/search/", functions.function_search, name="function-search"),
    path("functions/<int:pk>/edit/", functions.function_edit, name="function-edit"),
    path("functions/<int:pk>/delete/", functions.function_delete, name="function-delete"),
    path("people/", people.people_list, name="people-list"),
    path("people/new/", people.person_create, name="person-create"),
    path("people/search/", people.person_search, name="person-search"),
    path("people/<int:pk>/edit/", people.person_edit, name="person-edit"),
    path("people/<int:pk>/delete/", people.person_delete, name="person-delete"),
    # Org-chart import and the people export in the same format (issue 3).
    path("import/", imports.import_start, name="import"),
    path("import/<uuid:token>/columns/", imports.import_mapping, name="import-mapping"),
    path("import/<uuid:token>/preview/", imports.import_preview, name="import-preview"),
    path("import/<uuid:token>/commit/", imports.import_commit, name="import-commit"),
    path("import/<uuid:token>/joins/", imports.import_joins, name="import-joins"),
    path("import/<uuid:token>/rejected.csv", imports.import_rejected, name="import-rejected"),
    path("import/jobs/<uuid:token>/", imports.import_job, name="import-job"),
    re_path(r"^people/export\.(?P<fmt>csv|xlsx)$", imports.people_export, name="people-export"),
    # The Whole Product Partnership web and the disruptions around it (issue 7).
    path("web/", web.web, name="web"),
    path("web/partnerships/new/", web.partnership_create, name="partnership-create"),
    path("web/partnerships/<int:pk>/edit/", web.partnership_edit, name="partnership-edit"),
    path("web/partnerships/<int:pk>/delete/", web.partnership_delete, name="partnership-delete"),
    path("web/partnerships/<int:pk>/check-in/", web.partnership_checkin, name="partnership-checkin"),
    path("web/disruptions/", web.disruption_list, name="disruption-list"),
    path("web/disruptions/new/", web.disruption_create, name="disruption-create"),
    # Members and invites (issue 4); the public accept link is in wholeproduct/urls.py.
    path("members/", members.member_list, name="members"),
    path("members/<int:pk>/access/", members.member_access, name="member-access"),
    path("members/<int:pk>/remove/", members.member_remove, name="member-remove"),
    path("invites/new/", invites.invite_create, name="invite-create"),
    path("invites/<int:pk>/resend/", invites.invite_resend, name="invite-resend"),
    path("invites/<int:pk>/revoke/", invites.invite_revoke, name="invite-revoke"),
    # Who changed what (issue 16): admins only.
    path("activity/", activity.activity, name="activity"),
]
