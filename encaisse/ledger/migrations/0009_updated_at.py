"""`updated_at` on every ledger object (and `created_at` on contacts), `ImportBatch.source`.

Fast on a million-invoice ledger: each column is added nullable (no table
rewrite on PostgreSQL, a plain ALTER TABLE on SQLite), back-filled with one
UPDATE per table, then made NOT NULL. The back-fill says "last changed when
created" (a reversed allocation: when its reversal was made) rather than "now",
so that the first "updated since" sync of an API client is not the whole ledger.
"""

from django.db import migrations, models

TABLES = ("invoice", "creditnote", "payment", "allocation", "contact")

BACKFILL = [
    "UPDATE ledger_invoice SET updated_at = created_at",
    "UPDATE ledger_creditnote SET updated_at = created_at",
    "UPDATE ledger_payment SET updated_at = created_at",
    # One index probe per row (reverses_id is unique); reversals are few.
    "UPDATE ledger_allocation SET updated_at = COALESCE("
    "(SELECT r.created_at FROM ledger_allocation r WHERE r.reverses_id = ledger_allocation.id),"
    " created_at)",
    # Contacts had no timestamps: their customer's creation is the best we know. One
    # statement: on PostgreSQL a second UPDATE of rows this transaction wrote queues
    # their deferred foreign-key checks, and the ALTER TABLE below then refuses to run.
    "UPDATE ledger_contact SET"
    " created_at = (SELECT c.created_at FROM ledger_customer c WHERE c.id = ledger_contact.customer_id),"
    " updated_at = (SELECT c.created_at FROM ledger_customer c WHERE c.id = ledger_contact.customer_id)",
    "UPDATE ledger_importbatch SET source = 'fec' WHERE kind = 'fec'",
]


def _nullable(model: str, name: str) -> migrations.AddField:
    return migrations.AddField(
        model_name=model, name=name, field=models.DateTimeField(null=True, verbose_name=name)
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_allocation_via_cash_application")]

    operations = [
        *(_nullable(model, "updated_at") for model in TABLES),
        _nullable("contact", "created_at"),
        migrations.AddField(
            model_name="importbatch",
            name="source",
            field=models.CharField(
                choices=[("csv", "CSV file"), ("fec", "FEC file"), ("api", "API")],
                default="csv",
                max_length=16,
                verbose_name="source",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        *(
            migrations.AlterField(
                model_name=model,
                name="updated_at",
                field=models.DateTimeField(auto_now=True, verbose_name="updated"),
            )
            for model in TABLES
        ),
        migrations.AlterField(
            model_name="contact",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created"),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["updated_at", "id"], name="invoice_updated"),
        ),
        migrations.AddIndex(
            model_name="creditnote",
            index=models.Index(fields=["updated_at", "id"], name="credit_note_updated"),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(fields=["updated_at", "id"], name="payment_updated"),
        ),
        migrations.AddIndex(
            model_name="allocation",
            index=models.Index(fields=["updated_at", "id"], name="allocation_updated"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["updated_at", "id"], name="contact_updated"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["updated_at", "id"], name="customer_updated"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["account_manager", "updated_at", "id"], name="customer_manager_updated"
            ),
        ),
    ]
