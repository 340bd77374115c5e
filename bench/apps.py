from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Bench-only views and data. Installed only by `compagnonnage.settings.bench`."""

    name = "bench"
    verbose_name = "Benchmarks"
