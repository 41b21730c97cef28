from django.urls import path

from .views import (
    campaigns,
    dashboard,
    exports,
    map_editor,
    me,
    org_transfer,
    products,
    reports,
    reviews,
    whole_product,
)

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
    path("p/<slug:product>/map/suggestions/restore/", map_editor.map_restore, name="product-map-restore"),
    path("p/<slug:product>/map/undo/", map_editor.map_undo, name="product-map-undo"),
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
    # Issue 4: a stakeholder's own role, the review inbox, review campaigns.
    path("me/", me.me, name="me"),
    path("me/picture/<slug:product>/", me.me_picture, name="me-picture"),
    path("me/assignments/<int:pk>/review/", me.me_review, name="me-review"),
    path("reviews/", reviews.review_inbox, name="review-inbox"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review-detail"),
    path("reviews/<int:pk>/resolve/", reviews.review_resolve, name="review-resolve"),
    path("campaigns/", campaigns.campaign_list, name="campaign-list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/close/", campaigns.campaign_close, name="campaign-close"),
    path("campaigns/<int:pk>/remind/", campaigns.campaign_remind, name="campaign-remind"),
    # Issue 5: coverage reports, their comparison, on-demand builds and exports.
    path("reports/", reports.report_list, name="report-list"),
    path("reports/compare/", reports.report_compare, name="report-compare"),
    path("reports/build/", reports.report_build, name="report-build"),
    path("reports/jobs/<uuid:task_id>/", reports.report_job, name="report-job"),
    path("reports/jobs/<uuid:task_id>/retry/", reports.report_job_retry, name="report-job-retry"),
    path("reports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("reports/<int:pk>/export/", exports.report_export, name="report-export"),
    path("reports/exports/<uuid:token>/", exports.export_job, name="export-job"),
    path("reports/exports/<uuid:token>/download/", exports.export_download, name="export-download"),
    # The whole organization (its roles and its products) as one JSON file (issue 8); restore_org reads it back.
    path("export/", org_transfer.org_export, name="org-export"),
]
