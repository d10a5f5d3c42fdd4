"""Tencent Cloud SMS (API 3.0, SendSms version 2021-01-11), signed TC3-HMAC-SHA256.

One SendSms call per message, with SessionContext = our client reference; the
gateway echoes it in status pulls (PullSmsSendStatusByPhoneNumber), which is
how a handoff of unknown outcome is reconciled. The template's single
parameter carries the text; the gateway adds the sign (SignName)."""

import json
import re
import time
import urllib.parse

from django.conf import settings

from . import BaseBackend, ReceiptEvent, Result
from .http import NoAnswer, NotSent, call
from .signing import tc3_authorization

SIGN_RE = re.compile(r"^【[^】]*】")
THROTTLED = {"LimitExceeded", "RequestLimitExceeded", "InternalError", "LimitExceeded.PhoneNumberThirtySecondLimit"}


class TencentBackend(BaseBackend):
    name = "tencent"
    can_reconcile = True

    @property
    def conf(self):
        return {**settings.SMS["TENCENT"], **self.options}

    def _request(self, action, body):
        conf = self.conf
        payload = json.dumps(body, ensure_ascii=False)
        host = urllib.parse.urlsplit(conf["ENDPOINT"]).netloc
        timestamp = int(time.time())
        headers = {
            "Authorization": tc3_authorization(conf["SECRET_ID"], conf["SECRET_KEY"], "sms", host, payload, timestamp),
            "Content-Type": "application/json; charset=utf-8", "Host": host, "X-TC-Action": action,
            "X-TC-Timestamp": str(timestamp), "X-TC-Version": "2021-01-11", "X-TC-Region": conf["REGION"],
        }
        return call(conf["ENDPOINT"], data=payload.encode(), headers=headers, method="POST")

    def send(self, batch):
        conf = self.conf
        results = []
        for item in batch:
            body = {"PhoneNumberSet": [f"+86{item.mobile}"], "SmsSdkAppId": conf["SDK_APP_ID"],
                    "SignName": conf["SIGN_NAME"], "TemplateId": conf["TEMPLATE_ID"],
                    "TemplateParamSet": [SIGN_RE.sub("", item.text)], "SessionContext": item.ref}
            try:
                status, answer = self._request("SendSms", body)
            except NotSent as e:
                results.append(Result(ref=item.ref, transient=True, error=f"tencent: {e}"))
                continue
            except NoAnswer as e:
                results.append(Result(ref=item.ref, unknown=True, error=f"tencent: {e}"))
                continue
            response = answer.get("Response", {})
            if "Error" in response:
                code = response["Error"].get("Code", "")
                results.append(Result(ref=item.ref, transient=code in THROTTLED,
                                      error=f"tencent {code}: {response['Error'].get('Message', '')}"[:200]))
                continue
            row = (response.get("SendStatusSet") or [{}])[0]
            if row.get("Code") == "Ok":
                results.append(Result(ref=item.ref, ok=True, gateway_id=row.get("SerialNo", "")))
            else:
                code = row.get("Code", "")
                results.append(Result(ref=item.ref, transient=code in THROTTLED,
                                      error=f"tencent {code}: {row.get('Message', '')}"[:200]))
        return results

    def reconcile(self, batch):
        answers = {}
        now = int(time.time())
        for item in batch:
            status, answer = self._request("PullSmsSendStatusByPhoneNumber", {
                "BeginTime": now - 86400, "Offset": 0, "Limit": 100, "PhoneNumber": f"+86{item.mobile}",
                "SmsSdkAppId": self.conf["SDK_APP_ID"]})
            response = answer.get("Response", {})
            if status != 200 or "Error" in response:
                continue
            rows = [r for r in response.get("PullSmsSendStatusSet", []) if r.get("SessionContext") == item.ref]
            answers[item.ref] = Result(ref=item.ref, ok=True, gateway_id=rows[0].get("SerialNo", "")) if rows else None
        return answers


def parse_report(payload):
    """Tencent's status callback (a JSON array) -> ReceiptEvents."""
    if not isinstance(payload, list):
        raise ValueError("not a list")
    events = []
    for row in payload:
        sid = str(row["sid"])
        ok = row.get("report_status") == "SUCCESS"
        events.append(ReceiptEvent(key=f"{sid}:{row.get('user_receive_time', '')}:{row.get('report_status', '')}",
                                   status="delivered" if ok else "failed", gateway_id=sid,
                                   error="" if ok else f"{row.get('errmsg', '')} {row.get('description', '')}".strip()))
    return events
