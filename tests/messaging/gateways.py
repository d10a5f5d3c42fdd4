"""Local stand-ins for the HTTP gateways (127.0.0.1 only). Each checks the
request signature exactly as the real service documents it and answers in
the real service's shape; a wrong signature gets the real error code."""

import base64
import hashlib
import hmac
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from vanguard.messaging.channels.signing import aliyun_sign, tc3_authorization


class Recorder:
    def __init__(self):
        self.requests = []
        self.nonces = set()


@contextmanager
def serve(handler_class):
    recorder = Recorder()
    handler = type("Handler", (handler_class,), {"recorder": recorder})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", recorder
    finally:
        server.shutdown()
        server.server_close()


class _Base(BaseHTTPRequestHandler):
    recorder = None

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


class AliyunHandler(_Base):
    """dysmsapi: GET with the RPC signature (secret "testsecret")."""

    secret = "testsecret"

    def do_GET(self):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query, keep_blank_values=True))
        signature = query.get("Signature", "")
        if not hmac.compare_digest(signature, aliyun_sign(query, self.secret)):
            return self.answer(400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"})
        if query["SignatureNonce"] in self.recorder.nonces:
            return self.answer(400, {"Code": "SignatureNonceUsed", "Message": "nonce used"})
        self.recorder.nonces.add(query["SignatureNonce"])
        self.recorder.requests.append(query)
        if query["Action"] == "SendSms":
            if query["PhoneNumbers"].endswith("9999"):
                return self.answer(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
            return self.answer(200, {"Code": "OK", "Message": "OK", "BizId": f"biz{len(self.recorder.requests)}",
                                     "RequestId": "r"})
        if query["Action"] == "QuerySendDetails":
            rows = [{"OutId": r["OutId"], "BizId": "found"} for r in self.recorder.requests
                    if r["Action"] == "SendSms" and r["PhoneNumbers"] == query["PhoneNumber"]]
            return self.answer(200, {"Code": "OK", "SmsSendDetailDTOs": {"SmsSendDetailDTO": rows}})
        return self.answer(404, {"Code": "InvalidAction"})


class TencentHandler(_Base):
    """sms.tencentcloudapi.com: POST JSON signed TC3-HMAC-SHA256."""

    secret_id, secret_key = "AKIDtest", "tencent-secret"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        timestamp = int(self.headers["X-TC-Timestamp"])
        expected = tc3_authorization(self.secret_id, self.secret_key, "sms", self.headers["Host"], body, timestamp,
                                     self.headers["Content-Type"])
        if not hmac.compare_digest(self.headers.get("Authorization", ""), expected) or abs(time.time() - timestamp) > 300:
            return self.answer(200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                                            "Message": "signature"}, "RequestId": "r"}})
        payload = json.loads(body)
        payload["_action"] = self.headers["X-TC-Action"]
        self.recorder.requests.append(payload)
        if payload["_action"] == "SendSms":
            return self.answer(200, {"Response": {"SendStatusSet": [{
                "SerialNo": f"sn{len(self.recorder.requests)}", "PhoneNumber": payload["PhoneNumberSet"][0],
                "SessionContext": payload["SessionContext"], "Code": "Ok", "Message": "send success"}],
                "RequestId": "r"}})
        return self.answer(200, {"Response": {"Error": {"Code": "InvalidAction", "Message": "?"}}})


class RobotHandler(_Base):
    """DingTalk robot with 加签 (secret "SECdingtalk"), and WeCom's plain webhook."""

    secret = "SECdingtalk"

    def do_POST(self):
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if parts.path.startswith("/robot/send"):
            digest = hmac.new(self.secret.encode(), f"{query.get('timestamp')}\n{self.secret}".encode(),
                              hashlib.sha256).digest()
            if query.get("sign") != base64.b64encode(digest).decode():
                return self.answer(200, {"errcode": 310000, "errmsg": "sign not match"})
        self.recorder.requests.append((parts.path, body))
        return self.answer(200, {"errcode": 0, "errmsg": "ok"})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def loopback_smsc(tmp_path, receipts=True):
    """The smpp34-based loopback SMSC in its own process; yields (port, log path)."""
    port, log, ready = free_port(), tmp_path / "smsc.jsonl", tmp_path / "smsc.ready"
    args = [sys.executable, "-m", "vanguard.messaging.smsc", "--port", str(port), "--log", str(log),
            "--ready-file", str(ready)]
    process = subprocess.Popen(args + ([] if receipts else ["--no-receipts"]),
                               cwd=Path(__file__).resolve().parents[2])
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            assert process.poll() is None and time.monotonic() < deadline, "loopback SMSC did not start"
            time.sleep(0.05)
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=10)


def smsc_log(log):
    return [json.loads(line) for line in Path(log).read_text(encoding="utf-8").splitlines()] if Path(log).exists() else []
