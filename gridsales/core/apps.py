from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gridsales.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from gridsales.core import audit

        audit.connect_signals()
