import pytest
from django.utils import translation

from gridsales.routes.config import RoutesConfig


@pytest.fixture(autouse=True)
def _routes_defaults(settings):
    """The documented defaults, whatever GRIDSALES_ROUTES_* the shell has; English text."""
    settings.ROUTES = RoutesConfig()
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")
