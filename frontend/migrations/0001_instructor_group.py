from django.conf import settings
from django.db import migrations


def create_instructor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=settings.INSTRUCTOR_GROUP)


def remove_instructor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=settings.INSTRUCTOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_instructor_group, remove_instructor_group)]
