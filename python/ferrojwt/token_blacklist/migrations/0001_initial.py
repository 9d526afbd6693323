# The first schema of simplejwt's token_blacklist app (a UUID jti, a required owner).
# Later migrations move it to the current one; every migration keeps simplejwt's
# name, so a database migrated by simplejwt is already up to date here.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _auto_id() -> "models.AutoField[int, int]":
    return models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="OutstandingToken",
            fields=[
                ("id", _auto_id()),
                ("jti", models.UUIDField(unique=True)),
                ("token", models.TextField()),
                ("created_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField()),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ("user",)},
        ),
        migrations.CreateModel(
            name="BlacklistedToken",
            fields=[
                ("id", _auto_id()),
                ("blacklisted_at", models.DateTimeField(auto_now_add=True)),
                (
                    "token",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        to="token_blacklist.outstandingtoken",
                    ),
                ),
            ],
        ),
    ]
