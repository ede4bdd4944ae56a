
import encaisse.lib.clock
from django.db import migrations, models
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    """A task was last changed when it was completed, else when it was created;
    a task completed before results existed was simply done."""
    Task = apps.get_model("collab", "Task")
    Task.objects.update(updated_at=Coalesce("completed_at", "created_at"))
    Task.objects.filter(status="done").update(result="done")


class Migration(migrations.Migration):

    dependencies = [
        ('collab', '0004_go_live_and_cash_on_account'),
    ]

    operations = [
        migrations.AddField(
            model_name='task',
            name='result',
            field=models.CharField(blank=True, choices=[('done', 'Done'), ('reached', 'Customer reached'), ('no_answer', 'No answer'), ('not_needed', 'No longer needed')], default='', max_length=16, verbose_name='result'),
        ),
        migrations.AddField(
            model_name='task',
            name='updated_at',
            field=models.DateTimeField(default=encaisse.lib.clock.now, verbose_name='updated'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
