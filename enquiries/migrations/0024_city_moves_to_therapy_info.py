"""The cities now live in therapy_info (its 0013 renamed the table): the enquiries' preferred
cities point there, and enquiries forgets its own City. Nothing changes in the database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0023_city_names_in_four_languages"),
        ("therapy_info", "0013_city_moves_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="enquiry",
                    name="preferred_cities",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="enquiries",
                        to="therapy_info.city",
                        verbose_name="preferred cities",
                    ),
                ),
                migrations.DeleteModel(name="City"),
            ],
        ),
    ]
