from typing import Any

from django.db import migrations

from encaisse.dunning.defaults import install_defaults


def forwards(apps: Any, schema_editor: Any) -> None:
    install_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("dunning", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
