
import encaisse.lib.clock
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def backfill(apps, schema_editor):
    """Existing rows were last changed when they were made, as far as we know:
    a plan and its steps at the plan's creation, a hold at its own."""
    DunningPlan = apps.get_model("dunning", "DunningPlan")
    DunningStep = apps.get_model("dunning", "DunningStep")
    Hold = apps.get_model("dunning", "Hold")
    DunningPlan.objects.update(updated_at=F("created_at"))
    created = DunningPlan.objects.filter(pk=OuterRef("plan_id")).values("created_at")[:1]
    DunningStep.objects.update(updated_at=Subquery(created))
    Hold.objects.update(updated_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('dunning', '0008_parked_unsettled_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='dunningplan',
            name='updated_at',
            field=models.DateTimeField(default=encaisse.lib.clock.now, verbose_name='updated'),
        ),
        migrations.AddField(
            model_name='dunningstep',
            name='updated_at',
            field=models.DateTimeField(default=encaisse.lib.clock.now, verbose_name='updated'),
        ),
        migrations.AddField(
            model_name='hold',
            name='updated_at',
            field=models.DateTimeField(default=encaisse.lib.clock.now, verbose_name='updated'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
