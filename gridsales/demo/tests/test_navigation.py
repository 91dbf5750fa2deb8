"""Every demo login can walk the demo in both languages (the foundation's "done when")."""

from __future__ import annotations

import pytest
from django.test import Client

from gridsales.accounts.models import User
from gridsales.customers.models import Customer
from gridsales.demo.plan import DEMO_PASSWORD
from gridsales.grids.models import Grid

pytestmark = pytest.mark.django_db

LOGINS = ("admin", "director", "regional", "gridmanager", "rep", "analyst", "outsider")
# A word of the navigation bar in each language: proves the page came out translated.
MARKERS = {"zh-hans": "客户", "en": "Customers"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("login", LOGINS)
def test_demo_user_walks_every_page_in_both_languages(demo, login, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=login, password=DEMO_PASSWORD)
    user = User.objects.get(username=login)
    grid = Grid.objects.restrict(user, "view").order_by("-depth").first()
    customer = Customer.objects.restrict(user, "view").first()
    urls = ["/", "/grids/", "/reps/", f"/reps/{user.pk}/", "/customers/", "/customers/new/"]
    if grid is not None:
        urls += [f"/grids/{grid.pk}/", f"/customers/?grid={grid.code}"]
    if customer is not None:
        urls += [f"/customers/{customer.pk}/", f"/audit/customers.customer/{customer.pk}/"]
    for url in urls:
        response = client.get(url)
        expected = 403 if url == "/customers/new/" and login == "analyst" else 200
        assert response.status_code == expected, url
        assert MARKERS[language] in response.content.decode(), url
    # Every non-HQ login sees something of its own, except the outsider.
    assert (grid is None) == (login == "outsider")
