import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0012_editions_of_published_reports")]

    operations = [
        migrations.AlterField(
            model_name="reportpdf",
            name="edition",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="pdf",
                to="reports.edition",
            ),
        ),
    ]
