"""SMPP 3.4 (carrier or government SMS gateway) through `smpplib`.

Text is sent as UCS-2 (data_coding 8): up to 70 characters in one submit_sm,
otherwise 67-character parts joined by a concatenation UDH (05 00 03 ref n i).
A delivery receipt is requested on the last part, whose message id becomes
the message's gateway id; receipts arrive as deliver_sm on the same
transceiver session and are read between sends and by `poll_receipts()`.

Submits are pipelined in a window (SMS["SMPP"]["WINDOW"]). SMPP has no way to
ask the SMSC about a submit by our own reference, so a submit whose response
never came is reported `unknown` and is not re-sent: at most once."""

import re
import select
import time

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.smpp
from django.conf import settings

from . import BaseBackend, ReceiptEvent, Result

THROTTLED = {smpplib.consts.SMPP_ESME_RTHROTTLED, smpplib.consts.SMPP_ESME_RMSGQFUL}
RECEIPT_RE = re.compile(r"id:(?P<id>\S+).*?stat:(?P<stat>\w+)(?:.*?err:(?P<err>\w+))?", re.S)


def ucs2_parts(text, ref):
    """The short_message payloads of one text, and the esm_class to send them with."""
    units = text.encode("utf-16-be")
    if len(units) <= 140:
        return [units], 0
    chunks = [units[i:i + 134] for i in range(0, len(units), 134)]
    if len(chunks) > 255:
        raise ValueError("message too long")
    header = bytes([5, 0, 3, ref & 0xFF, len(chunks)])
    return [header + bytes([i]) + chunk for i, chunk in enumerate(chunks, start=1)], 0x40


def _text(value):
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value or "")


class SmppBackend(BaseBackend):
    name = "smpp"

    def __init__(self, options=None):
        super().__init__(options)
        self.client = None
        self.receipts = []

    @property
    def conf(self):
        return {**settings.SMS["SMPP"], **self.options}

    def open(self):
        conf = self.conf
        self.client = smpplib.client.Client(conf["HOST"], int(conf["PORT"]), timeout=10,
                                            allow_unknown_opt_params=True)
        self.client.connect()
        self.client.bind_transceiver(system_id=conf["SYSTEM_ID"], password=conf["PASSWORD"])

    def close(self):
        if self.client is None:
            return
        try:
            self.receipts.extend(self.poll_receipts(0.5))
            self.client.send_pdu(smpplib.smpp.make_pdu("unbind", client=self.client))
            # A receipt or keep-alive may come before unbind_resp: answer it (and keep the
            # receipt) rather than take it for the response and drop the session bound.
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if not select.select([self.client._socket], [], [], deadline - time.monotonic())[0]:
                    break
                pdu = self.client.read_pdu()
                if pdu.command == "unbind_resp":
                    break
                self._handle(pdu, {})
        except Exception:  # noqa: BLE001,S110 - closing anyway
            pass
        self.client.disconnect()
        self.client = None

    # Reading -------------------------------------------------------------------------

    def _handle(self, pdu, waiting):
        if pdu.command == "submit_sm_resp":
            entry = waiting.pop(pdu.sequence, None)
            if entry is not None:
                entry(pdu)
        elif pdu.command == "deliver_sm":
            self._receipt(pdu)
            resp = smpplib.smpp.make_pdu("deliver_sm_resp", client=self.client)
            resp.sequence = pdu.sequence
            self.client.send_pdu(resp)
        elif pdu.command == "enquire_link":
            resp = smpplib.smpp.make_pdu("enquire_link_resp", client=self.client)
            resp.sequence = pdu.sequence
            self.client.send_pdu(resp)

    def _receipt(self, pdu):
        text = _text(pdu.short_message)
        match = RECEIPT_RE.search(text)
        gateway_id = _text(getattr(pdu, "receipted_message_id", None)).rstrip("\0") or (match and match["id"])
        if not gateway_id or not match:
            return
        stat = match["stat"].upper()
        delivered = stat == "DELIVRD"
        self.receipts.append(ReceiptEvent(key=f"{gateway_id}:{stat}", gateway_id=gateway_id,
                                          status="delivered" if delivered else "failed",
                                          error="" if delivered else f"{stat} err:{match['err'] or ''}"))

    def _read(self, waiting, timeout):
        readable, _, _ = select.select([self.client._socket], [], [], timeout)
        if not readable:
            return False
        self._handle(self.client.read_pdu(), waiting)
        return True

    def poll_receipts(self, seconds=0.0):
        if self.client is not None:
            try:
                while self._read({}, seconds):
                    pass
            except (smpplib.exceptions.ConnectionError, OSError):
                pass
        receipts, self.receipts = self.receipts, []
        return receipts

    # Sending -------------------------------------------------------------------------

    def send(self, batch):
        conf = self.conf
        window = int(conf.get("WINDOW", 50))
        results = {item.ref: Result(ref=item.ref) for item in batch}
        parts_left = {}
        waiting = {}  # sequence -> callback(resp)

        def on_resp(item, is_last):
            def callback(pdu):
                result = results[item.ref]
                parts_left[item.ref] -= 1
                if pdu.status != 0:
                    result.error = result.error or f"SMPP status 0x{pdu.status:02x}"
                    result.transient = result.transient or (pdu.status in THROTTLED and parts_left[item.ref] + 1 ==
                                                            len_parts[item.ref] and not result.gateway_id)
                elif is_last:
                    result.gateway_id = _text(pdu.message_id)
                if parts_left[item.ref] == 0 and not result.error:
                    result.ok = True
            return callback

        len_parts = {}
        written = set()
        try:
            for index, item in enumerate(batch):
                parts, esm_class = ucs2_parts(item.text, int(re.sub(r"\D", "", item.ref) or 0))
                parts_left[item.ref] = len_parts[item.ref] = len(parts)
                for number, payload in enumerate(parts, start=1):
                    while len(waiting) >= window:
                        if not self._read(waiting, 10):
                            raise TimeoutError("no submit_sm_resp")
                    pdu = self.client.send_message(
                        source_addr_ton=smpplib.consts.SMPP_TON_ALNUM if not conf["SOURCE_ADDR"].isdigit()
                        else smpplib.consts.SMPP_TON_UNK,
                        source_addr_npi=smpplib.consts.SMPP_NPI_ISDN, source_addr=conf["SOURCE_ADDR"],
                        dest_addr_ton=smpplib.consts.SMPP_TON_INTL, dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
                        destination_addr=f"86{item.mobile}", short_message=payload,
                        data_coding=smpplib.consts.SMPP_ENCODING_ISO10646, esm_class=esm_class,
                        registered_delivery=number == len(parts))
                    written.add(item.ref)
                    waiting[pdu.sequence] = on_resp(item, number == len(parts))
                if index % 20 == 0:
                    self._drain(waiting)
            while waiting:
                if not self._read(waiting, 10):
                    raise TimeoutError("no submit_sm_resp")
        except (smpplib.exceptions.ConnectionError, TimeoutError, OSError) as e:
            for item in batch:
                result = results[item.ref]
                if result.ok or (result.error and not result.transient):
                    continue
                if item.ref in written:
                    result.unknown, result.transient, result.error = True, False, f"SMPP: {e}"[:200]
                else:
                    result.transient, result.error = True, f"SMPP: {e}"[:200]
            self.client = None  # the session is broken; the next batch reconnects
        return [results[item.ref] for item in batch]

    def _drain(self, waiting):
        while self._read(waiting, 0):
            pass
