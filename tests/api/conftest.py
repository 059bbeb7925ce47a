import json
from typing import Any

import pytest
from django.test import Client

from okienko.accounts.choices import Role
from okienko.testing.factories import make_agent, make_token


class ApiClient:
    """A test client that speaks JSON with a bearer token."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def _send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        data = json.dumps(body) if body is not None else None
        call = getattr(self.client, method)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        return call(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self._send("get", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("post", path, body, **headers)

    def patch(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("patch", path, body, **headers)

    def put(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("put", path, body, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self._send("delete", path, **headers)


@pytest.fixture
def admin(db):
    return make_agent(role=Role.ADMIN, name="Anna Admin")


@pytest.fixture
def admin_api(admin) -> ApiClient:
    return ApiClient(make_token(admin))


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body
