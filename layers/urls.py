from django.urls import path

from .views import dashboard, map_editor, products, whole_product

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("products/", products.product_list, name="product-list"),
    path("products/new/", products.product_create, name="product-create"),
    path("p/<slug:product>/edit/", products.product_edit, name="product-edit"),
    # Issue 3: the whole product picture and the map editor.
    path("p/<slug:product>/", whole_product.whole_product, name="product-detail"),
    path("p/<slug:product>/map/", map_editor.product_map, name="product-map"),
    path("p/<slug:product>/map/suggestions/apply/", map_editor.map_apply, name="product-map-apply"),
    path("p/<slug:product>/map/suggestions/dismiss/", map_editor.map_dismiss, name="product-map-dismiss"),
    path("p/<slug:product>/map/cell/<int:function>/<slug:layer>/", map_editor.map_cell, name="product-map-cell"),
    path(
        "p/<slug:product>/map/cell/<int:function>/<slug:layer>/contribution/",
        map_editor.map_contribution,
        name="product-map-contribution",
    ),
    path(
        "p/<slug:product>/map/cell/<int:function>/<slug:layer>/history/",
        map_editor.map_history,
        name="product-map-history",
    ),
]
