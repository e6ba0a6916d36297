"""The client's address: X-Forwarded-For believed only from trusted proxies."""

import pytest
from starlette.requests import Request

from admin_app.security import proxies


def fake_request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request(
        {"type": "http", "method": "GET", "headers": headers, "client": (peer, 1)}
    )


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.1", "198.51.100.1", "203.0.113.1"),  # untrusted peer
        ("10.0.0.1", None, "10.0.0.1"),
        ("10.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.1", "198.51.100.1, 10.0.0.2, 10.0.0.3", "198.51.100.1"),
        ("10.0.0.1", "spoofed, 198.51.100.1", "198.51.100.1"),
        ("10.0.0.1", "not-an-address", "10.0.0.1"),
        ("10.0.0.1", "10.0.0.2", "10.0.0.1"),  # only proxies: the peer
        ("::ffff:10.0.0.1", "2001:DB8::1", "::ffff:10.0.0.1"),
        ("fd00::1", "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_the_client_address(peer: str, forwarded: str | None, expected: str) -> None:
    trusted = proxies.trusted_networks(["10.0.0.0/8", "fd00::/8"])
    assert proxies.client_address(fake_request(peer, forwarded), trusted) == expected
