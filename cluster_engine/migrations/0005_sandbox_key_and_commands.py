from django.db import migrations, models
import django.db.models.deletion


def keys_from_lessons(apps, schema_editor):
    Sandbox = apps.get_model("cluster_engine", "Sandbox")
    for sandbox in Sandbox.objects.exclude(lesson=None).select_related("lesson"):
        sandbox.key = f"lesson:{sandbox.lesson.slug}"
        sandbox.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [("cluster_engine", "0004_compressed_change_objects"), ("lessons", "0001_lesson")]

    operations = [
        migrations.AddField("sandbox", "key", models.CharField(
            default="playground", help_text="What the sandbox is for: the playground, a lesson or an exercise.",
            max_length=200, verbose_name="key")),
        migrations.RunPython(keys_from_lessons, migrations.RunPython.noop),
        migrations.RemoveConstraint("sandbox", "one_sandbox_per_learner_and_lesson"),
        migrations.RemoveConstraint("sandbox", "one_playground_per_learner"),
        migrations.RemoveField("sandbox", "lesson"),
        migrations.AddConstraint("sandbox", models.UniqueConstraint(fields=("owner", "key"),
                                                                    name="one_sandbox_per_learner_and_key")),
        migrations.AddField("sandbox", "live_key", models.CharField(blank=True, max_length=200,
                                                                    verbose_name="live key")),
        migrations.AddField("sandbox", "live_until", models.DateTimeField(blank=True, null=True,
                                                                          verbose_name="live until")),
        migrations.CreateModel(
            name="SandboxCommand",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("sim_time", models.FloatField(
                    blank=True, null=True,
                    help_text="Simulated seconds since the epoch; empty when the request was refused.")),
                ("source", models.CharField(choices=[("terminal", "terminal"), ("editor", "YAML editor"),
                                                     ("kube-api", "Kubernetes API")], max_length=16)),
                ("text", models.TextField()),
                ("exit_code", models.SmallIntegerField(blank=True, null=True)),
                ("resource_version", models.PositiveBigIntegerField(
                    blank=True, help_text="The sandbox's resourceVersion after it.", null=True)),
                ("sandbox", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="commands",
                                              to="cluster_engine.sandbox")),
            ],
            options={"ordering": ("sandbox", "id"), "indexes": [models.Index(fields=["sandbox", "id"],
                                                                             name="sandbox_command_order")]},
        ),
    ]
