from django.contrib import admin

from lessons.models import Lesson


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("order", "slug", "title_en", "title_ru", "updated_at")
    list_display_links = ("slug",)
    search_fields = ("slug", "title_en", "title_ru")
