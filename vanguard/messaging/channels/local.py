"""Development and test channels: nothing leaves the machine."""

import json
import os
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import BaseBackend, Result

# locmem's outbox, like django.core.mail.outbox.
outbox = []
_lock = threading.Lock()


class ConsoleBackend(BaseBackend):
    name = "console"

    def send(self, batch):
        stream = self.options.get("stream", sys.stdout)
        for item in batch:
            stream.write(f"SMS to {item.mobile} [{item.ref}]: {item.text}\n")
        stream.flush()
        return [Result(ref=item.ref, ok=True, gateway_id=item.ref) for item in batch]


class LocmemBackend(BaseBackend):
    name = "locmem"
    can_reconcile = True

    def send(self, batch):
        with _lock:
            outbox.extend(batch)
        return [Result(ref=item.ref, ok=True, gateway_id=item.ref) for item in batch]

    def reconcile(self, batch):
        with _lock:
            have = {item.ref for item in outbox}
        return {item.ref: (Result(ref=item.ref, ok=True, gateway_id=item.ref) if item.ref in have else None)
                for item in batch}


class FileBackend(BaseBackend):
    """The gateway is an append-only file of JSON lines (`outbox.jsonl` in
    SMS["FILE_PATH"]). Each line is written with one O_APPEND write, so a worker
    killed at any moment leaves whole lines; the file is what "the gateway
    received", and reconciliation reads it back by client reference."""

    name = "file"
    can_reconcile = True

    @property
    def path(self):
        folder = Path(self.options.get("path") or settings.SMS["FILE_PATH"])
        folder.mkdir(parents=True, exist_ok=True)
        return folder / "outbox.jsonl"

    def send(self, batch):
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            now, pid = timezone.now().isoformat(), os.getpid()
            for item in batch:
                line = json.dumps({"ref": item.ref, "to": item.mobile, "text": item.text, "at": now, "pid": pid},
                                  ensure_ascii=False) + "\n"
                os.write(fd, line.encode())
        finally:
            os.close(fd)
        return [Result(ref=item.ref, ok=True, gateway_id=item.ref) for item in batch]

    def received(self):
        """Every line the 'gateway' holds, in order."""
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.endswith("\n")]

    def reconcile(self, batch):
        have = {row["ref"] for row in self.received()}
        return {item.ref: (Result(ref=item.ref, ok=True, gateway_id=item.ref) if item.ref in have else None)
                for item in batch}
