from typing import Any

from django.contrib import admin

from . import hooks
from .models import Function, FunctionAlias, ImportJob, Membership, Organization, Stakeholder
from .services import playbook_matches


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "go_to_market", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request: Any, obj: Organization, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "go_to_market" in form.changed_data:  # the playbook's rules differ by motion
            hooks.organization_changed(organization_id=obj.pk)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "access", "created_at"]
    list_filter = ["access", "organization"]
    search_fields = ["user__email", "organization__name"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user"]


@admin.register(Function)
class FunctionAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "category", "is_external", "parent"]
    list_filter = ["category", "is_external", "organization"]
    search_fields = ["name"]
    list_select_related = ["organization", "parent"]
    raw_id_fields = ["parent"]

    def save_model(self, request: Any, obj: Function, form: Any, change: bool) -> None:
        if not change or "name" in form.changed_data:
            playbook_matches.stamp(obj)  # its playbook match follows its name, as the services keep it
        super().save_model(request, obj, form, change)
        if not change:
            hooks.functions_changed(organization_id=obj.organization_id)
        elif {"name", "category"} & set(form.changed_data):  # where it sits on a ring, what it matches
            hooks.functions_renamed(organization_id=obj.organization_id, function_ids=[obj.pk])


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "title", "function", "organization", "user"]
    list_filter = ["organization"]
    search_fields = ["full_name", "email", "title"]
    list_select_related = ["function", "organization", "user"]
    raw_id_fields = ["function", "user", "manager"]


@admin.register(FunctionAlias)
class FunctionAliasAdmin(admin.ModelAdmin):
    list_display = ["label", "function", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["label", "function__name"]
    list_select_related = ["function", "organization"]
    raw_id_fields = ["function"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["filename", "organization", "state", "row_count", "created_by", "created_at", "finished_at"]
    list_filter = ["state", "organization"]
    search_fields = ["filename", "token"]
    list_select_related = ["organization", "created_by"]
    raw_id_fields = ["created_by"]
    # The preview and result are large JSON blobs written by the import service only.
    readonly_fields = ["token", "headers", "mapping", "preview", "result", "error", "created_at", "finished_at"]
