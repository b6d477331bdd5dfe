import zlib

import orjson
from django.db import migrations, models

import cluster_engine.fields


def compress_states(apps, schema_editor):
    Sandbox = apps.get_model("cluster_engine", "Sandbox")
    for sandbox_id, state in Sandbox.objects.values_list("id", "state").iterator():
        blob = zlib.compress(orjson.dumps(state or {}, option=orjson.OPT_NON_STR_KEYS), 1)
        Sandbox.objects.filter(id=sandbox_id).update(state_blob=blob)


class Migration(migrations.Migration):
    dependencies = [("cluster_engine", "0002_sandbox_token")]

    operations = [
        # Historical models see the new field as plain bytes, so the copy compresses by hand.
        migrations.AddField("sandbox", "state_blob", models.BinaryField(null=True)),
        migrations.RunPython(compress_states, migrations.RunPython.noop),
        migrations.RemoveField("sandbox", "state"),
        migrations.RenameField("sandbox", "state_blob", "state"),
        migrations.AlterField("sandbox", "state",
                              cluster_engine.fields.CompressedJSONField(default=dict, editable=False,
                                                                        verbose_name="state")),
    ]
