"""GRIDSALES_ROUTES_* settings: defaults, parsing, and messages that name the variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from gridsales.routes.config import RoutesConfig, routes_config


def test_the_defaults():
    config = routes_config({})
    assert config == RoutesConfig()
    assert (config.business_hours, config.working_hours) == ((540, 1080), (510, 1080))
    assert (config.lunch_window, config.lunch_minutes) == ((720, 780), 45)
    assert (config.road_factor, config.speed_kmh, config.day_time_limit) == (1.3, 30.0, 1.0)
    assert dict(config.service_minutes) == {"A": 45, "B": 30, "C": 20, "D": 15}
    assert (config.visit_minutes, config.service_for("B"), config.service_for("?")) == (30, 30, 30)
    assert config.office == (31.2304, 121.4737)


def test_values_from_the_environment():
    config = routes_config(
        {
            "GRIDSALES_ROUTES_BUSINESS_HOURS": "10:00-20:30",
            "GRIDSALES_ROUTES_WORKING_HOURS": " 08:00 - 19:00 ",
            "GRIDSALES_ROUTES_LUNCH": "11:30-13:30",
            "GRIDSALES_ROUTES_LUNCH_MINUTES": "60",
            "GRIDSALES_ROUTES_ROAD_FACTOR": "1.5",
            "GRIDSALES_ROUTES_SPEED_KMH": "25",
            "GRIDSALES_ROUTES_SERVICE_MINUTES": "a:60, D:10",
            "GRIDSALES_ROUTES_VISIT_MINUTES": "40",
            "GRIDSALES_ROUTES_OFFICE": "39.9042,116.4074",
            "GRIDSALES_ROUTES_DAY_TIME_LIMIT": "0.5",
            "GRIDSALES_ROUTES_WEEK_TIME_LIMIT": "30",
        }
    )
    assert config.business_hours == (600, 1230)
    assert config.working_hours == (480, 1140)
    assert (config.lunch_window, config.lunch_minutes) == ((690, 810), 60)
    assert (config.road_factor, config.speed_kmh, config.visit_minutes) == (1.5, 25.0, 40)
    assert dict(config.service_minutes) == {"A": 60, "B": 30, "C": 20, "D": 10}
    assert config.office == (39.9042, 116.4074)
    assert (config.day_time_limit, config.week_time_limit) == (0.5, 30.0)


@pytest.mark.parametrize(
    "name, value, message",
    [
        (
            "GRIDSALES_ROUTES_BUSINESS_HOURS",
            "9-18",
            "GRIDSALES_ROUTES_BUSINESS_HOURS must look like 09:00-18:00, not '9-18'",
        ),
        (
            "GRIDSALES_ROUTES_WORKING_HOURS",
            "18:00-08:30",
            "GRIDSALES_ROUTES_WORKING_HOURS: '18:00-08:30' ends before it starts",
        ),
        (
            "GRIDSALES_ROUTES_ROAD_FACTOR",
            "0.8",
            "GRIDSALES_ROUTES_ROAD_FACTOR must be at least 1, not '0.8'",
        ),
        (
            "GRIDSALES_ROUTES_SPEED_KMH",
            "fast",
            "GRIDSALES_ROUTES_SPEED_KMH must be a number, not 'fast'",
        ),
        (
            "GRIDSALES_ROUTES_SERVICE_MINUTES",
            "E:10",
            "GRIDSALES_ROUTES_SERVICE_MINUTES must look like A:45,B:30,C:20,D:15, not 'E:10'",
        ),
        (
            "GRIDSALES_ROUTES_OFFICE",
            "121.47,31.23",
            "GRIDSALES_ROUTES_OFFICE: '121.47,31.23' is not a WGS-84 latitude,longitude",
        ),
        (
            "GRIDSALES_ROUTES_LUNCH",
            "17:30-18:00",
            "GRIDSALES_ROUTES_LUNCH and _LUNCH_MINUTES: the lunch break must fit inside "
            "GRIDSALES_ROUTES_WORKING_HOURS",
        ),
    ],
)
def test_a_bad_value_names_the_variable(name, value, message):
    with pytest.raises(ImproperlyConfigured) as caught:
        routes_config({name: value})
    assert str(caught.value) == message
