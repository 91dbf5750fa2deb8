# Business hours for visit routes (gridsales.routes): empty means the default hours.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_customer_needs"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="opens_at",
            field=models.TimeField(blank=True, null=True, verbose_name="Opens at"),
        ),
        migrations.AddField(
            model_name="customer",
            name="closes_at",
            field=models.TimeField(blank=True, null=True, verbose_name="Closes at"),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("opens_at__isnull", True),
                    ("closes_at__isnull", True),
                    ("closes_at__gt", models.F("opens_at")),
                    _connector="OR",
                ),
                name="customer_closes_after_it_opens",
                violation_error_message=(
                    "The closing time must be later than the opening time: correct one of them."
                ),
            ),
        ),
    ]
