"""Who is asking, behind trusted proxies: the client's address, believed from
``X-Forwarded-For`` only when the peer is a proxy the settings trust (login
throttling, the audit trail and the host check all ask)."""

import ipaddress
from collections.abc import Iterable, Sequence

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def client_address(request: Request, trusted: Sequence[Network] = ()) -> str:
    """The client's IP address. ``X-Forwarded-For`` counts only when the peer
    is a trusted proxy (anyone can send the header); then the right-most hop
    that is not itself a trusted proxy is the client."""
    peer = request.client.host if request.client else ""
    if not is_trusted(peer, trusted):
        return peer or "unknown"
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
    ]
    for hop in reversed(hops):
        if not is_trusted(hop, trusted):
            return _canonical(hop) or peer
    return peer


def _canonical(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    """Whether ``address`` is an IP address inside one of the ``trusted`` networks."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
