"""A small JSON-over-HTTP helper for the gateways that tells apart the three
outcomes that matter for sending once: the request never left (transient),
the answer never came (unknown), or an answer."""

import json
import socket
import urllib.error
import urllib.request


class NotSent(Exception):
    """The request certainly did not reach the gateway (e.g. connection refused)."""


class NoAnswer(Exception):
    """The request may have reached the gateway but no answer came back."""


def call(url, *, data=None, headers=None, method=None, timeout=10):
    if not url.startswith(("http://", "https://")):
        raise NotSent(f"not an HTTP URL: {url}")
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            body = response.read()
            return response.status, json.loads(body or b"{}")
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body or b"{}")
        except ValueError:
            return e.code, {"raw": body.decode(errors="replace")}
    except urllib.error.URLError as e:
        if isinstance(e.reason, ConnectionRefusedError | socket.gaierror):
            raise NotSent(str(e.reason)) from e
        raise NoAnswer(str(e.reason)) from e
    except (TimeoutError, ConnectionResetError) as e:
        raise NoAnswer(str(e)) from e
