"""Work-group robots: DingTalk and WeCom (企业微信) group webhooks, for posting
notices to work groups. Configured as SMS["ROBOTS"] entries:

    dingtalk|https://oapi.dingtalk.com/robot/send?access_token=...|SEC...
    wecom|https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...

DingTalk's "加签" security: the URL carries timestamp (ms) and
sign = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")))."""

import json
import time
from dataclasses import dataclass

from django.conf import settings

from .http import NoAnswer, NotSent, call
from .signing import dingtalk_sign


@dataclass(frozen=True)
class Robot:
    kind: str
    url: str
    secret: str = ""

    @classmethod
    def parse(cls, entry):
        kind, _, rest = entry.partition("|")
        url, _, secret = rest.partition("|")
        if kind not in ("dingtalk", "wecom") or not url:
            raise ValueError(f"not a robot: {entry!r}")
        return cls(kind, url, secret)

    def post(self, text, now_ms=None):
        """(ok, error)."""
        url = self.url
        if self.kind == "dingtalk" and self.secret:
            timestamp = now_ms or int(time.time() * 1000)
            url += f"{'&' if '?' in url else '?'}timestamp={timestamp}&sign={dingtalk_sign(self.secret, timestamp)}"
        body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
        try:
            status, answer = call(url, data=body, headers={"Content-Type": "application/json; charset=utf-8"},
                                  method="POST")
        except (NotSent, NoAnswer) as e:
            return False, str(e)
        if status == 200 and answer.get("errcode") == 0:
            return True, ""
        return False, f"{answer.get('errcode')}: {answer.get('errmsg', '')}"


def robots():
    return [Robot.parse(entry) for entry in settings.SMS["ROBOTS"]]


def post_to_groups(text):
    """Post to every configured work group; [(robot kind, ok, error)]."""
    return [(robot.kind, *robot.post(text)) for robot in robots()]
