"""Logging in and out as a browser does: the login page first, then its form
(with the CSRF token when the page carries one). Works with Starlette's
TestClient and with an httpx.Client on a real server alike."""

import base64
import html
import json
import re
import time
from typing import Any

import httpx
import itsdangerous

from admin_app.auth.backend import SESSION_COOKIE, TOKEN_KEY

_CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]*)"')


def csrf_fields(page: str) -> dict[str, str]:
    """The page's CSRF hidden input as form data (empty when it has none)."""
    match = _CSRF_INPUT.search(page)
    return {"csrf_token": html.unescape(match.group(1))} if match else {}


def post_login(
    client: Any, username: str, password: str, base: str = "/admin", **extra: str
) -> httpx.Response:
    page = client.get(f"{base}/login")
    data = {"username": username, "password": password, **extra}
    response: httpx.Response = client.post(
        f"{base}/login", data=data | csrf_fields(page.text)
    )
    return response


def post_logout(client: Any, base: str = "/admin") -> httpx.Response:
    page = client.get(f"{base}/")
    response: httpx.Response = client.post(
        f"{base}/logout", data=csrf_fields(page.text)
    )
    return response


def session_cookie(client: Any) -> str:
    value = client.cookies.get(SESSION_COOKIE)
    assert value, "no session cookie"
    return str(value)


def cookie_payload(cookie: str) -> dict[str, Any]:
    """What a session cookie holds (it is signed, not encrypted)."""
    data: dict[str, Any] = json.loads(base64.b64decode(cookie.split(".")[0]))
    return data


def cookie_token(cookie: str) -> str:
    return str(cookie_payload(cookie)[TOKEN_KEY])


def signed_cookie(payload: dict[str, Any], key: str, age: int = 0) -> str:
    """A session cookie as Starlette signs it, with ``key``, ``age`` seconds old."""

    class AgedSigner(itsdangerous.TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age

    data = base64.b64encode(json.dumps(payload).encode())
    return AgedSigner(key).sign(data).decode()
