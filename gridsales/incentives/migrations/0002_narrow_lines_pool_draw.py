"""Statement lines in whole fen, without the order line's columns (read through the order
line when shown); statements gain the team pool, the draw and the blended rate."""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

MONEY = {"max_digits": 16, "decimal_places": 2}

COPY_FEN = """
UPDATE incentives_statementline
SET amount_fen = CAST(ROUND(amount * 100) AS BIGINT),
    base_fen = CASE WHEN base IS NULL THEN NULL ELSE CAST(ROUND(base * 100) AS BIGINT) END
"""
COPY_RATE = """
UPDATE incentives_statement
SET line_rate = (
    SELECT MAX(l.rate) FROM incentives_statementline l
    WHERE l.statement_id = incentives_statement.id AND l.kind = 'order_line'
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("incentives", "0001_initial"),
        ("sales", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="pool",
            field=models.DecimalField(default=Decimal("0"), verbose_name="Team pool", **MONEY),
        ),
        migrations.AddField(
            model_name="statement",
            name="draw",
            field=models.DecimalField(default=Decimal("0"), verbose_name="Draw", **MONEY),
        ),
        migrations.AddField(
            model_name="statement",
            name="draw_recovery",
            field=models.DecimalField(default=Decimal("0"), verbose_name="Draw recovery", **MONEY),
        ),
        migrations.AddField(
            model_name="statement",
            name="draw_balance",
            field=models.DecimalField(
                default=Decimal("0"),
                help_text="Recoverable draws not yet recovered, after this run.",
                verbose_name="Draw outstanding",
                **MONEY,
            ),
        ),
        migrations.AddField(
            model_name="statement",
            name="line_rate",
            field=models.DecimalField(
                blank=True,
                decimal_places=10,
                max_digits=16,
                null=True,
                verbose_name="Blended rate",
            ),
        ),
        migrations.AddField(
            model_name="statementline",
            name="base_fen",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="Base (fen)"),
        ),
        migrations.AddField(
            model_name="statementline",
            name="amount_fen",
            field=models.BigIntegerField(default=0, verbose_name="Amount (fen)"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="statementline",
            name="kind",
            field=models.CharField(
                choices=[
                    ("order_line", "Order line"),
                    ("bonus", "Bonus"),
                    ("cap", "Cap"),
                    ("pool", "Team pool"),
                    ("clawback", "Clawback"),
                    ("draw", "Draw"),
                    ("draw_recovery", "Draw recovery"),
                    ("adjustment", "Adjustment"),
                ],
                max_length=16,
                verbose_name="Kind",
            ),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="template",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                max_length=400,
                verbose_name="Explanation template",
            ),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="order_line",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="sales.orderline",
                verbose_name="Order line",
            ),
        ),
        migrations.RunSQL(COPY_FEN, migrations.RunSQL.noop),
        migrations.RunSQL(COPY_RATE, migrations.RunSQL.noop),
        migrations.RemoveField(model_name="statementline", name="order_no"),
        migrations.RemoveField(model_name="statementline", name="line_no"),
        migrations.RemoveField(model_name="statementline", name="order_date"),
        migrations.RemoveField(model_name="statementline", name="category"),
        migrations.RemoveField(model_name="statementline", name="gross"),
        migrations.RemoveField(model_name="statementline", name="base"),
        migrations.RemoveField(model_name="statementline", name="amount"),
    ]
