from django.test import RequestFactory

from chuangxian.clientip import client_ip


def _request(forwarded: str | None, remote: str = "127.0.0.1"):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_the_socket_address_counts_and_the_header_is_ignored(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_ip(_request("198.51.100.7", remote="203.0.113.9")) == "203.0.113.9"


def test_behind_one_proxy_its_entry_counts_and_a_forged_one_is_ignored(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip(_request("203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("198.51.100.7, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_outer_ones_entry_counts(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 2
    assert client_ip(_request("1.1.1.1, 203.0.113.9, 10.0.0.5")) == "203.0.113.9"
    # Fewer entries than proxies: a request that skipped one; the socket's address counts.
    assert client_ip(_request("10.0.0.5", remote="10.0.0.6")) == "10.0.0.6"
