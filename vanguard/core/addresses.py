"""The public address printed into QR codes, slips and SMS links.

VANGUARD_PUBLIC_BASE_URL when configured; otherwise the address `vanguard serve`
listens on (VANGUARD_HOST / VANGUARD_PORT, which `serve` and `demo` set from
their options), so a printed code at least reaches this server. Imported by
settings: no Django imports here."""

import ipaddress
import os
import socket
from urllib.parse import urlsplit

WILDCARDS = {"", "0.0.0.0", "::"}  # noqa: S104 - names, not a bind


def listen_url(host=None, port=None):
    host = host if host is not None else os.environ.get("VANGUARD_HOST", "127.0.0.1")
    port = port if port is not None else os.environ.get("VANGUARD_PORT", "8000")
    if host in WILDCARDS:
        host = socket.gethostname()  # listening everywhere: the machine's own name
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def public_base_url():
    return (os.environ.get("VANGUARD_PUBLIC_BASE_URL") or listen_url()).rstrip("/")


def is_loopback(url):
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def adopt_listen_address(host, port):
    """`serve`/`demo`: remember where this server listens, for this process (links
    built now) and the processes it starts (gunicorn's workers inherit the environment)."""
    from django.conf import settings

    os.environ["VANGUARD_HOST"], os.environ["VANGUARD_PORT"] = host, str(port)
    settings.PUBLIC_BASE_URL = public_base_url()
