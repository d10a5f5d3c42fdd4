"""A loopback SMSC (SMPP 3.4 server) for tests, benchmarks and demos, built on
the `smpp34` package's server. It accepts every bind, answers each submit_sm
with a message id, logs what it received (one JSON line per PDU) and, when the
submit asked for it (registered_delivery), sends a delivery receipt back as a
deliver_sm on the same session: "id:<id> ... stat:DELIVRD err:000", plus the
receipted_message_id TLV. Numbers ending in 0000 get stat:UNDELIV.

    python -m vanguard.messaging.smsc --port 2775 --log /tmp/smsc.jsonl

Only for 127.0.0.1: it is a test double for a carrier's gateway."""

import argparse
import asyncio
import itertools
import json
import os
import signal
import sys
import time


def _decode(data_coding, payload, esm_class):
    udh = b""
    if esm_class & 0x40 and payload:
        udh, payload = payload[: payload[0] + 1], payload[payload[0] + 1:]
    text = payload.decode("utf-16-be", errors="replace") if data_coding == 8 else payload.decode("latin-1")
    part = f"{udh[5]}/{udh[4]}" if len(udh) == 6 else "1/1"
    ref = udh[3] if len(udh) == 6 else None
    return text, part, ref


async def serve(host, port, log_path, receipts=True, ready_file=None):
    import smpp34

    server = smpp34.Server(host, port, system_id="VGSMSC", inbound_capacity=10000)
    await server.start()
    sessions = {}
    ids = itertools.count(1)
    prefix = f"{os.getpid():x}"
    log = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives as long as the server
    pending = set()
    if ready_file:
        with open(ready_file, "w") as f:
            f.write(str(port))

    async def receipt(esme, message_id, destination, source):
        stat = "UNDELIV" if destination.endswith("0000") else "DELIVRD"
        err = "001" if stat == "UNDELIV" else "000"
        now = time.strftime("%y%m%d%H%M")
        text = (f"id:{message_id} sub:001 dlvrd:{'001' if stat == 'DELIVRD' else '000'} submit date:{now} "
                f"done date:{now} stat:{stat} err:{err} text:")
        try:
            await esme.deliver_sm(source, text.encode(), source_addr=destination, esm_class=0x04,
                                  tlvs=[smpp34.Tlv(smpp34.TLV_RECEIPTED_MESSAGE_ID, message_id.encode() + b"\0")])
        except Exception as e:  # noqa: BLE001 - the ESME may have gone; the receipt is simply lost, as on a real SMSC
            print(f"receipt for {message_id} not delivered: {e}", file=sys.stderr)

    while True:
        event = await server.next()
        if isinstance(event, smpp34.Esme):
            sessions[event.session_id] = event
        elif isinstance(event, smpp34.Unbound):
            sessions.pop(event.session_id, None)
        elif isinstance(event, smpp34.SubmitSmEvent):
            message_id = f"{prefix}{next(ids):08x}"
            text, part, ref = _decode(event.data_coding, event.short_message, event.esm_class)
            event.accept(message_id)
            log.write(json.dumps({"id": message_id, "to": event.destination_addr, "from": event.source_addr,
                                  "part": part, "udh_ref": ref, "text": text, "dc": event.data_coding,
                                  "rd": event.registered_delivery}, ensure_ascii=False) + "\n")
            esme = sessions.get(event.session_id)
            if receipts and event.registered_delivery & 1 and esme is not None and esme.can_receive:
                task = asyncio.ensure_future(receipt(esme, message_id, event.destination_addr, event.source_addr))
                pending.add(task)
                task.add_done_callback(pending.discard)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2775)
    parser.add_argument("--log", required=True)
    parser.add_argument("--no-receipts", action="store_true")
    parser.add_argument("--ready-file")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    asyncio.run(serve(args.host, args.port, args.log, receipts=not args.no_receipts, ready_file=args.ready_file))


if __name__ == "__main__":
    main()
