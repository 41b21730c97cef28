from django.urls import path

from .views import dashboard, products

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("products/", products.product_list, name="product-list"),
    path("products/new/", products.product_create, name="product-create"),
    path("p/<slug:product>/edit/", products.product_edit, name="product-edit"),
    path("p/<slug:product>/", products.product_detail, name="product-detail"),
]
