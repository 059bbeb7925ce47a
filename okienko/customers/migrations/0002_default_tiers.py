from django.db import migrations

from okienko.customers.choices import DEFAULT_TIERS


def create_default_tiers(apps, schema_editor):
    tier_model = apps.get_model("customers", "Tier")
    for slug, name, position in DEFAULT_TIERS:
        tier_model.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create_default_tiers, migrations.RunPython.noop)]
