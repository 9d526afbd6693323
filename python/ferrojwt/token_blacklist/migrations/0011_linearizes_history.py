# No schema change; kept so the migration history matches simplejwt's by name.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("token_blacklist", "0010_fix_migrate_to_bigautofield")]

    operations = []
