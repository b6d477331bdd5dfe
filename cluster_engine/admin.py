from django.contrib import admin

from cluster_engine.models import Sandbox, SandboxChange, SandboxCommand


@admin.register(Sandbox)
class SandboxAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "key", "resource_version", "speed", "paused", "hibernating", "last_active_at")
    list_filter = ("paused", "hibernating")
    search_fields = ("owner__username", "id", "key")
    readonly_fields = ("id", "state", "version", "resource_version", "created_at", "last_active_at", "scenario")
    raw_id_fields = ("owner",)


@admin.register(SandboxChange)
class SandboxChangeAdmin(admin.ModelAdmin):
    list_display = ("sandbox", "resource_version", "actor", "verb", "kind", "namespace", "name", "reason")
    list_filter = ("verb", "kind")
    search_fields = ("actor", "name")
    readonly_fields = [field.name for field in SandboxChange._meta.get_fields()]


@admin.register(SandboxCommand)
class SandboxCommandAdmin(admin.ModelAdmin):
    list_display = ("sandbox", "created_at", "source", "text", "exit_code", "resource_version")
    list_filter = ("source",)
    search_fields = ("text",)
    readonly_fields = [field.name for field in SandboxCommand._meta.get_fields()]
