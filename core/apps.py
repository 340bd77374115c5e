from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .db import fast_timestamps
        from .personal_data import register_core_providers

        register_core_providers()
        connection_created.connect(fast_timestamps, dispatch_uid="fast_timestamps")
