"""SMS channels, chosen in settings like Django's email backends:

    VANGUARD_SMS_BACKEND=console | file | locmem | smpp | aliyun | tencent | <dotted.path.Backend>

A backend hands a batch of `Outgoing` messages to its gateway and answers one
`Result` per message. What a result means for the sent-once guarantee:

- `ok`: the gateway accepted it (gateway_id is its id, if it gives one);
- `transient`: the gateway certainly did NOT take it (connection refused,
  throttled) - it may be retried;
- `unknown`: it may or may not have been taken (time-out after the request was
  written) - it is never re-sent blindly; `reconcile()` asks the gateway by our
  client reference where the gateway supports that;
- otherwise a permanent failure with `error`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

ALIASES = {
    "console": "vanguard.messaging.channels.local.ConsoleBackend",
    "file": "vanguard.messaging.channels.local.FileBackend",
    "locmem": "vanguard.messaging.channels.local.LocmemBackend",
    "smpp": "vanguard.messaging.channels.smpp.SmppBackend",
    "aliyun": "vanguard.messaging.channels.aliyun.AliyunBackend",
    "tencent": "vanguard.messaging.channels.tencent.TencentBackend",
}


@dataclass(frozen=True)
class Outgoing:
    ref: str  # our client reference for this handoff (Message.client_ref)
    mobile: str
    text: str


@dataclass
class Result:
    ref: str
    ok: bool = False
    gateway_id: str = ""
    error: str = ""
    transient: bool = False
    unknown: bool = False


@dataclass(frozen=True)
class ReceiptEvent:
    """A delivery report: `gateway_id` or `ref` names the message."""

    key: str  # unique per report, to recognise replays
    status: str  # delivered | failed
    gateway_id: str = ""
    ref: str = ""
    error: str = ""


class BaseBackend:
    name = "base"
    # Can `reconcile()` tell whether a handoff of unknown outcome reached the gateway?
    can_reconcile = False

    def __init__(self, options=None):
        self.options = options or {}

    @property
    def rate_per_second(self):
        return settings.SMS["RATE_PER_SECOND"]

    def open(self):
        pass

    def close(self):
        pass

    def send(self, batch):
        raise NotImplementedError

    def reconcile(self, batch):
        """{ref: Result} for handoffs the gateway has (ok), or {ref: None} where it has
        certainly none. Only for backends with can_reconcile."""
        raise NotImplementedError

    def poll_receipts(self, seconds=0.0):
        """Delivery reports that arrive on the sending connection (SMPP)."""
        return []

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()


def backend_path(name=None):
    name = name or settings.SMS_BACKEND
    return ALIASES.get(name, name)


def get_backend(name=None, **options):
    return import_string(backend_path(name))(options)


def backend_name(name=None):
    name = name or settings.SMS_BACKEND
    return name if name in ALIASES else import_string(backend_path(name)).name
