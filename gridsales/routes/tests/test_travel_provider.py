"""A road-network provider replaces the offline travel estimate (GRIDSALES_ROUTES_TRAVEL_PROVIDER)."""

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from gridsales.routes import services
from gridsales.routes.day import DaySetup, matrices
from gridsales.routes.problem import ProblemError, travel_matrices
from gridsales.routes.tests.factories import tiny_day
from gridsales.routes.travel import travel_provider

CALLS = []


def doubled_roads(points):
    """A fake provider: twice the offline estimate's metres and minutes."""
    CALLS.append(len(points))
    metres, minutes = travel_matrices(points, road_factor=1.3, speed_kmh=30)
    return metres * 2, (minutes * 2).tolist()


def not_square(points):
    return np.zeros((len(points), 1)), np.zeros((len(points), len(points)))


def test_without_a_provider_the_plan_uses_the_offline_estimate(world, settings):
    settings.ROUTES_TRAVEL_PROVIDER = ""
    assert travel_provider() is None


def test_a_configured_provider_gives_the_distances_of_the_plan(world, settings):
    day = tiny_day(world)
    kwargs = {"rep": day.users["rep"], "day": day.day, "user": day.users["rep"], "time_limit": 0.3}
    settings.ROUTES_TRAVEL_PROVIDER = ""
    estimated = services.route_plan_day(**kwargs).distance_m
    settings.ROUTES_TRAVEL_PROVIDER = f"{__name__}.doubled_roads"
    CALLS.clear()
    provided = services.route_plan_day(**kwargs).distance_m
    assert CALLS, "the provider was asked"
    assert provided == pytest.approx(2 * estimated)


def test_a_provider_that_cannot_be_imported_names_the_setting(settings):
    settings.ROUTES_TRAVEL_PROVIDER = "nowhere.roads"
    with pytest.raises(ImproperlyConfigured, match="GRIDSALES_ROUTES_TRAVEL_PROVIDER"):
        travel_provider()


def test_a_provider_answer_of_the_wrong_shape_is_refused():
    setup = DaySetup(31.2, 121.4, (480, 1080), None, travel=not_square)
    with pytest.raises(ProblemError) as caught:
        matrices([(121.4, 31.2), (121.5, 31.3)], road_factor=1.3, speed_kmh=30, travel=setup.travel)
    assert "two square matrices" in str(caught.value.message)
