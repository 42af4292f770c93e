"""Each objection to a nominee gets its own unguessable public id: the link its sender keeps to
read its status and answer. Existing rows get one each (a column default would give them all
the same value), then the column becomes unique."""

from django.db import migrations, models

import evaluations.models.appraisal


def fill(apps, schema_editor):
    HonourObjection = apps.get_model("evaluations", "HonourObjection")
    for objection in HonourObjection.objects.filter(public_id="").only("pk"):
        objection.public_id = evaluations.models.appraisal.new_token()
        objection.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0005_honour_categories")]

    operations = [
        migrations.AddField(
            model_name="honourobjection",
            name="public_id",
            field=models.CharField(default="", max_length=64, verbose_name="public id"),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="honourobjection",
            name="public_id",
            field=models.CharField(
                default=evaluations.models.appraisal.new_token,
                max_length=64,
                unique=True,
                verbose_name="public id",
            ),
        ),
    ]
