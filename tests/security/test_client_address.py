"""One rule for the client's address: the proxies we trust say who it is, the client does not."""

import pytest
from django.test import RequestFactory

from applications.core import audit
from applications.core.client_address import client_address, client_key
from applications.models import PersonalDataAccess

CLIENT = "203.0.113.9"
SPOOFED = "1.2.3.4"


def request(remote_addr, forwarded=None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded", "address"),
    [
        (0, CLIENT, None, CLIENT),  # no proxy: the connection's address
        (0, CLIENT, SPOOFED, CLIENT),  # ... whatever the client writes
        (1, "10.0.0.1", CLIENT, CLIENT),  # nginx appends the address it saw
        (1, "10.0.0.1", f"{SPOOFED}, {CLIENT}", CLIENT),  # the client's own entry is ignored
        (1, "10.0.0.1", f"{SPOOFED}, 5.6.7.8, {CLIENT}", CLIENT),
        (1, "10.0.0.1", f"{SPOOFED},{CLIENT}", CLIENT),  # spaces or not
        (2, "10.0.0.2", f"{CLIENT}, 10.0.0.1", CLIENT),  # a load balancer, then nginx
        (2, "10.0.0.2", f"{SPOOFED}, {CLIENT}, 10.0.0.1", CLIENT),
        (1, "10.0.0.1", "2001:db8::1", "2001:db8::1"),
        (1, "10.0.0.1", f"{SPOOFED}, not-an-address", None),  # a proxy never writes that: no address
        (0, "", None, None),
    ],
    ids=[
        "direct",
        "direct-spoofed",
        "one-proxy",
        "one-proxy-spoofed",
        "one-proxy-spoofed-twice",
        "one-proxy-no-spaces",
        "two-proxies",
        "two-proxies-spoofed",
        "ipv6",
        "garbage",
        "empty",
    ],
)
def test_the_client_is_the_address_the_outermost_trusted_proxy_saw(settings, proxies, remote_addr, forwarded, address):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request(remote_addr, forwarded)) == address


def test_behind_a_proxy_a_request_without_forwarded_for_is_the_proxys_own(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request("10.0.0.1")) == "10.0.0.1"


def test_no_request_has_no_address():
    assert client_address(None) is None


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),  # the same subscriber's /64
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),  # the next /64 is another client
        ("::ffff:203.0.113.5", "203.0.113.5"),  # an IPv4 client seen through IPv6
        ("", ""),
        (None, ""),
    ],
)
def test_clients_are_counted_per_ipv4_address_and_per_ipv6_network(address, key):
    assert client_key(address) == key


@pytest.mark.django_db
def test_audit_records_keep_the_client_address_behind_the_proxy(settings, editor):
    settings.TRUSTED_PROXY_COUNT = 1
    opened = request("10.0.0.1", f"{SPOOFED}, {CLIENT}")
    opened.user = editor
    audit.record(opened, PersonalDataAccess.What.EXPORT, detail="测试导出")
    assert PersonalDataAccess.objects.get().ip_address == CLIENT
