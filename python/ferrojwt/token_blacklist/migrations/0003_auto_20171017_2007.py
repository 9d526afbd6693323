# Step 2: copy every UUID jti into the text column as 32 hex digits.

from uuid import UUID

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def uuid_to_hex(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    model = apps.get_model("token_blacklist", "OutstandingToken")
    rows = model.objects.using(schema_editor.connection.alias)
    for row in rows.all():
        row.jti_hex = row.jti.hex
        row.save(update_fields=["jti_hex"])


def hex_to_uuid(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    model = apps.get_model("token_blacklist", "OutstandingToken")
    rows = model.objects.using(schema_editor.connection.alias)
    for row in rows.all():
        row.jti = UUID(hex=row.jti_hex)
        row.save(update_fields=["jti"])


class Migration(migrations.Migration):
    dependencies = [("token_blacklist", "0002_outstandingtoken_jti_hex")]

    operations = [migrations.RunPython(uuid_to_hex, hex_to_uuid)]
