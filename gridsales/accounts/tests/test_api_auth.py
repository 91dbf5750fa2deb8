"""API authentication: tokens and sessions; anonymous callers get nothing."""

from gridsales.accounts.tests.factories import PASSWORD

TOKEN = "/api/v1/auth/token/"


def test_a_token_is_issued_for_the_right_password_and_opens_the_api(world, api):
    response = api(None).post(TOKEN, {"username": "rep", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = client.get("/api/v1/customers/").json()
    # The token carries the rep's scope, exactly as its session would.
    assert sorted(row["code"] for row in body["results"]) == ["CUS-G1", "CUS-NOGRID"]


def test_the_same_token_is_issued_again(world, api):
    first = api(None).post(TOKEN, {"username": "rep", "password": PASSWORD}).json()["token"]
    second = api(None).post(TOKEN, {"username": "rep", "password": PASSWORD}).json()["token"]
    assert first == second


def test_a_wrong_password_gets_400_and_no_token(world, api):
    response = api(None).post(TOKEN, {"username": "rep", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_a_deactivated_user_gets_no_token(world, api):
    world.users["rep"].is_active = False
    world.users["rep"].save()
    response = api(None).post(TOKEN, {"username": "rep", "password": PASSWORD})
    assert response.status_code == 400


def test_a_bad_token_answers_401(world, api):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/grids/").status_code == 401


def test_anonymous_callers_get_401_with_a_token_challenge(world, api):
    response = api(None).get("/api/v1/customers/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
