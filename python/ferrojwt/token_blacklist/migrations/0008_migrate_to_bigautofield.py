# 64-bit primary keys.

from django.db import migrations, models


def _big_id() -> "models.BigAutoField[int, int]":
    return models.BigAutoField(
        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
    )


class Migration(migrations.Migration):
    dependencies = [("token_blacklist", "0007_auto_20171017_2214")]

    operations = [
        migrations.AlterField(model_name="blacklistedtoken", name="id", field=_big_id()),
        migrations.AlterField(model_name="outstandingtoken", name="id", field=_big_id()),
    ]
