# The primary keys become explicit model fields (same column type).
# There is no 0009 here: simplejwt 4.7.0 shipped a 0009 that later releases
# dropped; a database that recorded it keeps working, Django ignores the row.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("token_blacklist", "0008_migrate_to_bigautofield")]

    operations = [
        migrations.AlterField(
            model_name="blacklistedtoken",
            name="id",
            field=models.BigAutoField(primary_key=True, serialize=False),
        ),
        migrations.AlterField(
            model_name="outstandingtoken",
            name="id",
            field=models.BigAutoField(primary_key=True, serialize=False),
        ),
    ]
