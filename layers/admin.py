from django.contrib import admin

from .models import Assignment, AssignmentChange, DismissedSuggestion, Layer, Product, Review


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin):
    list_display = ["ring", "key", "name"]
    ordering = ["ring"]

    def has_add_permission(self, request):  # reference data: created by a migration only
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "head"]
    list_filter = ["organization"]
    search_fields = ["name", "slug"]
    list_select_related = ["organization", "head"]
    raw_id_fields = ["head"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["product", "function", "layer", "emphasis", "source", "version", "changed_at"]
    list_filter = ["layer", "emphasis", "source"]
    search_fields = ["function__name", "product__name"]
    list_select_related = ["product", "function", "layer"]
    raw_id_fields = ["product", "function", "changed_by"]
    readonly_fields = ["version", "changed_at", "created_at"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["stakeholder", "assignment", "verdict", "created_at", "resolution"]
    list_filter = ["verdict", "resolution"]
    search_fields = ["stakeholder__full_name", "comment"]
    list_select_related = ["stakeholder", "assignment__function", "assignment__layer", "assignment__product"]
    raw_id_fields = ["assignment", "stakeholder", "resolved_by"]


@admin.register(AssignmentChange)
class AssignmentChangeAdmin(admin.ModelAdmin):
    """History is written by the services only; the admin reads it."""

    list_display = ["at", "product", "function", "layer", "action", "source", "by"]
    list_filter = ["action", "source", "layer"]
    search_fields = ["function__name", "product__name"]
    list_select_related = ["product", "function", "layer", "by"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DismissedSuggestion)
class DismissedSuggestionAdmin(admin.ModelAdmin):
    list_display = ["product", "function", "layer", "by", "at"]
    list_filter = ["layer"]
    search_fields = ["function__name", "product__name"]
    list_select_related = ["product", "function", "layer", "by"]
    raw_id_fields = ["product", "function", "by"]
