from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cluster_engine", "0005_sandbox_key_and_commands")]

    operations = [
        migrations.AddField("sandbox", "watched_until", models.DateTimeField(blank=True, null=True,
                                                                             verbose_name="watched until")),
        migrations.AddField("sandbox", "history_from", models.PositiveBigIntegerField(blank=True, null=True,
                                                                                      verbose_name="history from")),
    ]
