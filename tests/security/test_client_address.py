"""The client's address through trusted proxies (audit/client_address.py), as a table."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit.client_address import client_address_from, trusted_networks

PROXIES = trusted_networks(["10.0.0.2", "172.16.0.0/12"])


@pytest.mark.parametrize(("remote_addr", "forwarded_for", "expected"), [
    # No proxy configured in the path: the connection's own address, header ignored.
    ("198.51.100.1", "", "198.51.100.1"),
    ("198.51.100.1", "203.0.113.9", "198.51.100.1"),
    # Through our proxy: the address it appended.
    ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
    # A client that forges the header: the proxy appends the real one on the right.
    ("10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
    # Two of our proxies in a row (a network, not only single addresses).
    ("10.0.0.2", "198.51.100.1, 172.20.1.1", "198.51.100.1"),
    # Every hop ours (a request from inside): the left-most.
    ("10.0.0.2", "172.20.1.1", "172.20.1.1"),
    # Our proxy passed on garbage: the proxy that handed it over.
    ("10.0.0.2", "198.51.100.1, not-an-address", "10.0.0.2"),
    ("10.0.0.2", " 2001:db8::1 ", "2001:db8::1"),
    ("10.0.0.2", "", "10.0.0.2"),
])
def test_client_address(remote_addr, forwarded_for, expected):
    assert client_address_from(remote_addr=remote_addr, forwarded_for=forwarded_for,
                               networks=PROXIES) == expected


def test_a_mistyped_trusted_proxy_stops_the_start():
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        trusted_networks(["10.0.0.300"])
