from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from roles.forms_signin import SignInForm
from roles.views import accounts, home, invites
from wholeproduct import health

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include(accounts.urlpatterns)),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/ready", health.healthz, name="healthz-ready"),
    path("healthz/live", health.live, name="healthz-live"),
    path("invite/<str:token>/", invites.invite_accept, name="invite-accept"),
    path("admin/", admin.site.urls),
    path("api/", include("wholeproduct.api")),
    path("o/<slug:org>/", include("roles.urls")),
    path("o/<slug:org>/", include("layers.urls")),
    path("o/<slug:org>/", include("scenarios.urls")),
]

# JSON in the API's shape under /api/, the site's pages elsewhere (wholeproduct/error_pages.py).
handler400 = "wholeproduct.error_pages.bad_request"
handler403 = "wholeproduct.error_pages.permission_denied"
handler404 = "wholeproduct.error_pages.page_not_found"
handler500 = "wholeproduct.error_pages.server_error"
