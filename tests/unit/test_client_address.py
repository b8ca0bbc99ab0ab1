"""Issue 14, point 10: X-Forwarded-For is believed only from FAKTUROWO_TRUSTED_PROXIES."""

from __future__ import annotations

import ipaddress

import pytest

from fakturowo_ui.services.client_address import client_address, parse_address

NONE: tuple = ()
LOCAL_PROXY = (ipaddress.ip_network("127.0.0.1/32"),)
PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8:1::/48"))


@pytest.mark.parametrize("peer", ["203.0.113.9", "127.0.0.1", "10.0.0.1"])
@pytest.mark.parametrize("forged", ["1.2.3.4", "1.2.3.4, 5.6.7.8", "::1", "garbage"])
def test_with_no_proxy_configured_the_header_is_ignored(peer, forged):
    assert client_address(peer, forged, NONE) == peer


def test_a_trusted_proxy_gives_the_headers_client():
    assert client_address("127.0.0.1", "198.51.100.7", LOCAL_PROXY) == "198.51.100.7"
    assert client_address("10.1.2.3", "198.51.100.7", PROXIES) == "198.51.100.7"


def test_a_peer_that_is_not_a_trusted_proxy_is_the_client_whatever_it_sends():
    assert client_address("203.0.113.9", "198.51.100.7", LOCAL_PROXY) == "203.0.113.9"
    assert client_address("11.0.0.1", "10.0.0.5, 198.51.100.7", PROXIES) == "11.0.0.1"


def test_no_header_from_a_trusted_proxy_gives_the_proxy():
    assert client_address("127.0.0.1", None, LOCAL_PROXY) == "127.0.0.1"
    assert client_address("127.0.0.1", "", LOCAL_PROXY) == "127.0.0.1"


def test_the_client_cannot_choose_its_address_by_prepending_to_the_header():
    # The client sent "X-Forwarded-For: 1.1.1.1, 2.2.2.2"; the proxy appended the real peer.
    assert client_address("127.0.0.1", "1.1.1.1, 2.2.2.2, 198.51.100.7", LOCAL_PROXY) == "198.51.100.7"
    # A forged "trusted" entry before the real one is skipped the same way.
    assert client_address("10.0.0.1", "10.9.9.9, 198.51.100.7", PROXIES) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    header = "1.1.1.1, 198.51.100.7, 10.0.0.9, 10.0.0.8"
    assert client_address("10.0.0.1", header, PROXIES) == "198.51.100.7"
    # Every hop trusted: the left-most address is as far as the chain goes.
    assert client_address("10.0.0.1", "10.0.0.3, 10.0.0.2", PROXIES) == "10.0.0.3"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("garbage", "127.0.0.1"),
        ("unknown", "127.0.0.1"),
        ("198.51.100.7, garbage", "127.0.0.1"),  # right-most entry unreadable: the proxy
        ("198.51.100.7,", "127.0.0.1"),
        (",,,", "127.0.0.1"),
        ("garbage, 198.51.100.7", "198.51.100.7"),  # junk left of the client is never read
        ("999.1.1.1", "127.0.0.1"),
        ("<script>", "127.0.0.1"),
        ("1.2.3.4:80:90", "127.0.0.1"),
    ],
)
def test_garbage_in_the_header_is_never_the_client(header, expected):
    assert client_address("127.0.0.1", header, LOCAL_PROXY) == expected


def test_garbage_behind_a_trusted_hop_stops_at_that_hop():
    assert client_address("10.0.0.1", "198.51.100.7, junk, 10.0.0.2", PROXIES) == "10.0.0.2"


def test_ipv6_peers_proxies_and_clients():
    assert client_address("2001:db8:1::5", "2001:db8:ffff::1", PROXIES) == "2001:db8:ffff::1"
    assert client_address("2001:db8:2::5", "198.51.100.7", PROXIES) == "2001:db8:2::5"
    assert client_address("2001:db8:1::5", "[2001:db8:ffff::1]:4711", PROXIES) == "2001:db8:ffff::1"
    assert client_address("::1", "198.51.100.7", (ipaddress.ip_network("::1/128"),)) == "198.51.100.7"
    # Written out in full or compressed, it is the same address (one rate-limit key).
    assert client_address("2001:0db8:0000::0001", None, NONE) == "2001:db8::1"


def test_ipv4_mapped_addresses_count_as_ipv4():
    assert client_address("::ffff:127.0.0.1", "198.51.100.7", LOCAL_PROXY) == "198.51.100.7"
    assert client_address("127.0.0.1", "::ffff:198.51.100.7", LOCAL_PROXY) == "198.51.100.7"
    assert client_address("::ffff:203.0.113.9", "198.51.100.7", LOCAL_PROXY) == "203.0.113.9"


def test_ports_in_the_header_are_dropped():
    assert client_address("127.0.0.1", "198.51.100.7:51234", LOCAL_PROXY) == "198.51.100.7"


def test_a_peer_that_is_no_address():
    assert client_address("", "198.51.100.7", LOCAL_PROXY) == "unknown"
    assert client_address(None, "198.51.100.7", LOCAL_PROXY) == "unknown"
    assert client_address("testclient", "198.51.100.7", LOCAL_PROXY) == "testclient"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2.3.4", "1.2.3.4"),
        (" 1.2.3.4 ", "1.2.3.4"),
        ("1.2.3.4:80", "1.2.3.4"),
        ("[::1]", "::1"),
        ("[::1]:443", "::1"),
        ("::1", "::1"),
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("", None),
        ("[::1", None),
        ("[::1]x", None),
        ("1.2.3.4:x", None),
        ("example.com", None),
    ],
)
def test_parse_address(text, expected):
    parsed = parse_address(text)
    assert (None if parsed is None else str(parsed)) == expected
