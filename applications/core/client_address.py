"""The client's address, one rule for throttles, caps, sign-in logs and audit records.

Behind `TRUSTED_PROXY_COUNT` proxies (nginx in front of gunicorn: 1), each proxy appends the
address it received the request from to `X-Forwarded-For`, so the client is the entry that many
places from the end (counting REMOTE_ADDR as the last); anything further left was written by
the client and is not believed. With 0, REMOTE_ADDR is the client.
"""

import ipaddress

from django.conf import settings


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's IP address as the trusted proxies saw it, or None when it is not an address."""
    if request is None:
        return None
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain.append(request.META.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return _ip(chain[-1])
    if len(chain) <= proxies:
        # Fewer hops than proxies: the request did not come through them all; trust the first we have.
        return _ip(chain[0])
    return _ip(chain[-1 - proxies])


def client_key(address: str | None) -> str:
    """What one client is counted by: the IPv4 address, or the /64 network of an IPv6 one.

    One IPv6 subscriber usually holds a whole /64, so counting single addresses would let one
    person spread guesses over billions of them.
    """
    address = (address or "").strip()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
