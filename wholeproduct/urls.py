from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from roles.views import accounts, home, invites
from wholeproduct import health

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include(accounts.urlpatterns)),
    path("healthz", health.healthz, name="healthz"),
    path("invite/<str:token>/", invites.invite_accept, name="invite-accept"),
    path("admin/", admin.site.urls),
    path("api/", include("wholeproduct.api")),
    path("o/<slug:org>/", include("roles.urls")),
    path("o/<slug:org>/", include("layers.urls")),
]
