"""The client's address, believing X-Forwarded-For only from the proxies the operator named.

Rate limits key on this address. A client reaching the backend directly can send any
X-Forwarded-For it likes, so the header counts only when the socket's peer is one of
FAKTUROWO_TRUSTED_PROXIES; then each trusted proxy appended the address it saw, and the
right-most address that is not itself a trusted proxy is the client. Everything left of it was
written by the client and is never read. Nothing here imports Reflex.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"


def parse_address(text: str) -> Address | None:
    """An address as a socket or a proxy writes it (`1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`,
    `[2001:db8::1]:443`); an IPv4-mapped IPv6 address becomes the IPv4 one. Anything else: None."""
    text = text.strip()
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return None
    elif text.count(":") == 1:  # IPv4 with a port; an IPv6 address has at least two colons
        host, _, port = text.partition(":")
        if not port.isdigit():
            return None
    else:
        host = text
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


def is_trusted(address: Address, trusted: Sequence[Network]) -> bool:
    """Whether the address is one of the configured proxies."""
    return any(address in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The client's address from the socket's peer and the request's X-Forwarded-For value.

    No trusted proxy, no header, or a peer that is not a trusted proxy: the peer. Otherwise the
    header is read from the right: trusted proxies are skipped, the first other address is the
    client. A malformed entry ends the walk at the last address known good (nothing written
    before it can be believed); a chain of trusted proxies only ends at its left-most address.
    """
    peer_address = parse_address(peer or "")
    if peer_address is None:
        return (peer or "").strip() or UNKNOWN
    if not forwarded_for or not trusted or not is_trusted(peer_address, trusted):
        return str(peer_address)
    client = peer_address
    for entry in reversed(forwarded_for.split(",")):
        address = parse_address(entry)
        if address is None:
            break
        client = address
        if not is_trusted(address, trusted):
            break
    return str(client)
