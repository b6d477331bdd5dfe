import zlib

import orjson
from django.db import migrations, models

import cluster_engine.fields


def compress_objects(apps, schema_editor):
    SandboxChange = apps.get_model("cluster_engine", "SandboxChange")
    for change_id, obj in SandboxChange.objects.values_list("id", "object").iterator():
        blob = zlib.compress(orjson.dumps(obj or {}, option=orjson.OPT_NON_STR_KEYS), 1)
        SandboxChange.objects.filter(id=change_id).update(object_blob=blob)


class Migration(migrations.Migration):
    dependencies = [("cluster_engine", "0003_compressed_state")]

    operations = [
        # As 0003 did for the state: the copy compresses by hand (historical models see plain bytes).
        migrations.AddField("sandboxchange", "object_blob", models.BinaryField(null=True)),
        migrations.RunPython(compress_objects, migrations.RunPython.noop),
        migrations.RemoveField("sandboxchange", "object"),
        migrations.RenameField("sandboxchange", "object_blob", "object"),
        migrations.AlterField("sandboxchange", "object", cluster_engine.fields.CompressedJSONField()),
    ]
