# ferrojwt: an index on OutstandingToken.expires_at, which flushexpiredtokens and logout-all
# select by; no column or constraint of simplejwt's table changes.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("token_blacklist", "0014_tokenfamily"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="outstandingtoken",
            index=models.Index(fields=["expires_at"], name="tb_outstanding_expires"),
        ),
    ]
