"""Aliyun SMS (dysmsapi, RPC style, version 2017-05-25).

SendSms is called once per message with OutId = our client reference, so the
gateway can be asked later whether a handoff of unknown outcome arrived
(QuerySendDetails lists OutId). SendBatchSms takes one OutId per call, not per
phone, so it cannot say which message arrived; it is therefore not used for
broadcasts. The text goes in the template's ${content} parameter; the gateway
adds the 【sign】 itself (SignName), so our leading 【…】 is stripped."""

import datetime
import json
import re
import urllib.parse
import uuid

from django.conf import settings
from django.utils import timezone

from . import BaseBackend, Result
from .http import NoAnswer, NotSent, call
from .signing import aliyun_sign

SIGN_RE = re.compile(r"^【[^】]*】")
THROTTLED = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling.User", "isv.DAY_LIMIT_CONTROL", "SignatureNonceUsed"}


class AliyunBackend(BaseBackend):
    name = "aliyun"
    can_reconcile = True

    @property
    def conf(self):
        return {**settings.SMS["ALIYUN"], **self.options}

    def _request(self, action, params):
        conf = self.conf
        query = {
            "AccessKeyId": conf["ACCESS_KEY_ID"], "Action": action, "Format": "JSON", "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1", "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25", **params,
        }
        query["Signature"] = aliyun_sign(query, conf["ACCESS_KEY_SECRET"])
        url = conf["ENDPOINT"] + "?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        return call(url, timeout=10)

    def send(self, batch):
        results = []
        for item in batch:
            params = {"PhoneNumbers": item.mobile, "SignName": self.conf["SIGN_NAME"],
                      "TemplateCode": self.conf["TEMPLATE_CODE"], "OutId": item.ref,
                      "TemplateParam": json.dumps({"content": SIGN_RE.sub("", item.text)}, ensure_ascii=False)}
            try:
                status, body = self._request("SendSms", params)
            except NotSent as e:
                results.append(Result(ref=item.ref, transient=True, error=f"aliyun: {e}"))
                continue
            except NoAnswer as e:
                results.append(Result(ref=item.ref, unknown=True, error=f"aliyun: {e}"))
                continue
            code = body.get("Code", "")
            if status == 200 and code == "OK":
                results.append(Result(ref=item.ref, ok=True, gateway_id=body.get("BizId", "")))
            else:
                results.append(Result(ref=item.ref, transient=code in THROTTLED or status >= 500,
                                      error=f"aliyun {code}: {body.get('Message', '')}"[:200]))
        return results

    def reconcile(self, batch):
        answers = {}
        date = timezone.localdate().strftime("%Y%m%d")
        for item in batch:
            status, body = self._request("QuerySendDetails", {
                "PhoneNumber": item.mobile, "SendDate": date, "PageSize": "50", "CurrentPage": "1"})
            if status != 200 or body.get("Code") != "OK":
                continue  # no answer: stays unknown
            details = body.get("SmsSendDetailDTOs", {}).get("SmsSendDetailDTO", [])
            found = [d for d in details if d.get("OutId") == item.ref]
            answers[item.ref] = Result(ref=item.ref, ok=True, gateway_id=found[0].get("BizId", "")) if found else None
        return answers


def parse_report(payload):
    """Aliyun's SmsReport push (a JSON array) -> ReceiptEvents."""
    from . import ReceiptEvent

    if not isinstance(payload, list):
        raise ValueError("not a list")
    events = []
    for row in payload:
        biz_id, out_id = str(row["biz_id"]), str(row.get("out_id", ""))
        ok = row.get("success") in (True, "true")
        events.append(ReceiptEvent(key=f"{biz_id}:{row.get('report_time', '')}:{row.get('err_code', '')}",
                                   status="delivered" if ok else "failed", gateway_id=biz_id, ref=out_id,
                                   error="" if ok else f"{row.get('err_code', '')} {row.get('err_msg', '')}".strip()))
    return events
