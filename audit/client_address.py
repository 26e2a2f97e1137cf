"""The address of the person's computer, as seen through the proxies we trust.

Behind a TLS-terminating proxy every connection comes from the proxy, so REMOTE_ADDR alone puts
every user on one address (and one person's wrong passwords lock out the borough). The proxy
appends the address it saw to X-Forwarded-For; anything to the left of that was written by the
client and may be forged. So the header is read only when the connection comes from a trusted
proxy (settings.TRUSTED_PROXIES), from the right, skipping our own proxies: the first address
that is not one of ours is the client.

It lives beside the audit writer because the audit's address column is its first user; django-axes
(AXES_CLIENT_IP_CALLABLE) and the rate limits (RATELIMIT_IP_META_KEY) use it too, so all three
agree. We wrote this rather than use django-ipware because
ipware matches trusted proxies by string prefix, not by network, and it is a dozen lines here,
a pure function of the request and the settings, tested as a table
(tests/security/test_client_address.py).
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def trusted_networks(values) -> tuple:
    """Parse TRUSTED_PROXIES (addresses or networks, e.g. 10.0.0.0/8)."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {value!r} is not an IP address or network"
            ) from error
    return tuple(networks)


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address_from(*, remote_addr: str | None, forwarded_for: str, networks) -> str | None:
    """The client's address: REMOTE_ADDR, or the right-most X-Forwarded-For hop that is not a
    trusted proxy when (and only when) REMOTE_ADDR itself is a trusted proxy."""
    nearest = _address(remote_addr or "")
    if not _trusted(nearest, networks) or not forwarded_for:
        return remote_addr
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            # Our proxy passed on something that is not an address: the last proxy that
            # handed it over is the best we know.
            return str(nearest)
        if not _trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)  # every hop is one of ours (a request from inside)


def client_address(request) -> str | None:
    return client_address_from(
        remote_addr=request.META.get("REMOTE_ADDR"),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        networks=trusted_networks(settings.TRUSTED_PROXIES),
    )
