"""The client address the rate limits and the chat's per-client cap count by.

It is the TCP peer's address, unless the peer is one of `WebSettings.trusted_proxies`
(addresses or CIDR networks, IPv4 or IPv6): then the forwarding headers it adds are read,
`Forwarded: for=...` (RFC 7239) if present, else `X-Forwarded-For`. Their hops are walked from
the nearest one back, skipping trusted proxies; the first hop that is not a trusted proxy is
the client (a client cannot pass itself off by writing the header itself: the proxy appends
the real peer). A hop that is not an IP address stops the walk at the last trusted one.
With no trusted proxy (the default) the headers are never read.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(entries: Iterable[str]) -> tuple[Network, ...]:
    """The trusted proxies as networks; `ValueError` naming an entry that is neither an IP
    address nor a CIDR network."""
    networks: list[Network] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as err:
            raise ValueError(f"trusted proxy {entry!r} is not an IP address or network") from err
    return tuple(networks)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = text.strip().strip('"')
    if value.startswith("["):  # [v6]:port
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _forwarded_hops(request: Request) -> list[str]:
    """The hops the headers list, farthest first (several headers: in order)."""
    forwarded = request.headers.getlist("forwarded")
    if forwarded:
        hops = []
        for element in ",".join(forwarded).split(","):
            for pair in element.split(";"):
                name, _, value = pair.partition("=")
                if name.strip().lower() == "for":
                    hops.append(value)
        return hops
    return [hop for line in request.headers.getlist("x-forwarded-for")
            for hop in line.split(",")]


class ClientAddresses:
    """Who is asking: `of(request)`, with the proxies to trust built once."""

    def __init__(self, trusted_proxies: Iterable[str] = ()) -> None:
        self.trusted = parse_proxies(trusted_proxies)

    def _trusted(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address in network for network in self.trusted)

    def of(self, request: Request) -> str:
        """The client's address as text ("unknown" when the server was not told the peer)."""
        peer = request.client.host if request.client else "unknown"
        nearest = _ip(peer)
        if not self.trusted or nearest is None or not self._trusted(nearest):
            return peer
        for hop in reversed(_forwarded_hops(request)):
            address = _ip(hop)
            if address is None:
                break
            nearest = address
            if not self._trusted(address):
                break
        return str(nearest)


def client_address(request: Request) -> str:
    """The address of the client of `request`, by the app's `ClientAddresses`."""
    addresses: ClientAddresses = request.app.state.client_addresses
    return addresses.of(request)
