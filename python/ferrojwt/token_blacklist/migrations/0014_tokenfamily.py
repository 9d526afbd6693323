# ferrojwt's own table (token families, i.e. sessions); simplejwt's two tables are untouched.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("token_blacklist", "0013_alter_blacklistedtoken_options_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TokenFamily",
            fields=[
                ("id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("created_at", models.DateTimeField()),
                ("last_refreshed_at", models.DateTimeField(blank=True, null=True)),
                ("expires_at", models.DateTimeField()),
                ("user_agent", models.CharField(blank=True, default="", max_length=256)),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                ("current_jti", models.CharField(blank=True, default="", max_length=255)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_reason", models.CharField(blank=True, default="", max_length=32)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "Token family (session)",
                "verbose_name_plural": "Token families (sessions)",
                "ordering": ("-created_at",),
                "indexes": [
                    models.Index(fields=["user", "expires_at"], name="tb_family_user_expires"),
                    models.Index(fields=["expires_at"], name="tb_family_expires"),
                ],
            },
        ),
    ]
