from django.contrib import admin

from .models import Scenario, ScenarioChange


class ChangeInline(admin.TabularInline):
    model = ScenarioChange
    extra = 0
    fields = ["position", "kind", "payload", "base"]
    readonly_fields = fields


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "status", "version", "updated_at", "applied_at"]
    list_filter = ["status", "organization"]
    search_fields = ["name"]
    list_select_related = ["organization"]
    readonly_fields = ["version", "drafted_at", "applied_at", "applied_by", "created_by"]
    inlines = [ChangeInline]
