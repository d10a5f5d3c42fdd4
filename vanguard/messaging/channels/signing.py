"""Request signing of the HTTP gateways, as their documentation specifies.

- Aliyun RPC (SendSms, SendBatchSms, QuerySendDetails): HMAC-SHA1 over
  "GET&%2F&" + percentEncode(canonicalised query), key = secret + "&",
  percent-encoding per RFC 3986 (space %20, * %2A, ~ kept).
- Tencent Cloud API 3.0: TC3-HMAC-SHA256 (canonical request -> string to sign
  -> date/service/"tc3_request" derived key).
- DingTalk group robot: sign = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}"))).
"""

import base64
import datetime
import hashlib
import hmac
import urllib.parse


def aliyun_percent_encode(value):
    return urllib.parse.quote(str(value), safe="-_.~")


def aliyun_string_to_sign(params, method="GET"):
    canonical = "&".join(f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}"
                         for k, v in sorted(params.items()) if k != "Signature")
    return f"{method}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"


def aliyun_sign(params, secret, method="GET"):
    digest = hmac.new(f"{secret}&".encode(), aliyun_string_to_sign(params, method).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _sha256_hex(data):
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest()


def _hmac256(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def tc3_canonical_request(payload, host, content_type="application/json; charset=utf-8", method="POST"):
    return (f"{method}\n/\n\ncontent-type:{content_type}\nhost:{host}\n\ncontent-type;host\n"
            f"{_sha256_hex(payload)}")


def tc3_sign(secret_key, service, timestamp, canonical_request):
    """The hex signature of one request. `timestamp` in seconds (UTC)."""
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256_hex(canonical_request)}"
    key = _hmac256(("TC3" + secret_key).encode(), date)
    key = _hmac256(key, service)
    key = _hmac256(key, "tc3_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def tc3_authorization(secret_id, secret_key, service, host, payload, timestamp,
                      content_type="application/json; charset=utf-8"):
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    signature = tc3_sign(secret_key, service, timestamp, tc3_canonical_request(payload, host, content_type))
    return (f"TC3-HMAC-SHA256 Credential={secret_id}/{date}/{service}/tc3_request, "
            f"SignedHeaders=content-type;host, Signature={signature}")


def dingtalk_sign(secret, timestamp_ms):
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())
