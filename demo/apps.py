from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Data that is not the product's: the demo organizations (`manage.py seed_demo`, which `make run`
    loads) and the benchmark's generated ones (`manage.py generate_org`, built by bench/generate/)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "Demo and generated data"
