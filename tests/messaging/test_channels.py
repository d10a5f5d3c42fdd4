"""Each real channel against something real: the documented signature vectors,
local HTTP servers that check signatures the way the gateways do, and the
loopback SMPP server (the smpp34 package's SMSC)."""

import datetime
import hashlib
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from vanguard.messaging import dispatch, services
from vanguard.messaging.channels import Outgoing, get_backend, signing
from vanguard.messaging.channels.robots import Robot, post_to_groups
from vanguard.messaging.channels.smpp import ucs2_parts
from vanguard.messaging.models import Broadcast, Message, Receipt

from .gateways import AliyunHandler, RobotHandler, TencentHandler, loopback_smsc, serve, smsc_log

# Signature vectors --------------------------------------------------------------------------------


def test_aliyun_rpc_signature_reproduces_the_documented_example():
    """Aliyun RPC API "签名机制" page, worked example: DescribeRegions with AccessKeyId
    "testid", AccessKeySecret "testsecret", SignatureNonce 3ee8c1b8-..., Timestamp
    2016-02-23T12:46:24Z; documented signature OLeaidS1JvxuMvnyHOwuJ+uX5qY=."""
    params = {"Timestamp": "2016-02-23T12:46:24Z", "Format": "XML", "AccessKeyId": "testid",
              "Action": "DescribeRegions", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "Version": "2014-05-26",
              "SignatureVersion": "1.0"}
    assert signing.aliyun_string_to_sign(params) == (
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
        "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26")
    assert signing.aliyun_sign(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    assert signing.aliyun_percent_encode("a b*c~d/中") == "a%20b%2Ac~d%2F%E4%B8%AD"


def test_tencent_tc3_signature_reproduces_the_documented_example():
    """Tencent Cloud API 3.0 "签名方法 v3" page, worked example: CVM DescribeInstances,
    SecretId AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******, SecretKey Gu5t9xGARNpq86cd98joQYCN3*******
    (as printed, asterisks included), timestamp 1551113065; documented hashed payload
    35e9c5b0..., hashed canonical request 5ffe6a04..., signature 2230eefd...."""
    payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    assert hashlib.sha256(payload.encode()).hexdigest() == \
        "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    canonical = signing.tc3_canonical_request(payload, "cvm.tencentcloudapi.com")
    assert hashlib.sha256(canonical.encode()).hexdigest() == \
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
    assert signing.tc3_sign("Gu5t9xGARNpq86cd98joQYCN3*******", "cvm", 1551113065, canonical) == \
        "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
    assert signing.tc3_authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", "Gu5t9xGARNpq86cd98joQYCN3*******",
                                     "cvm", "cvm.tencentcloudapi.com", payload, 1551113065) == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, "
        "SignedHeaders=content-type;host, Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c")


def test_dingtalk_sign_is_hmac_sha256_of_timestamp_newline_secret():
    import base64
    import hmac
    import urllib.parse

    digest = hmac.new(b"SECxyz", b"1700000000000\nSECxyz", hashlib.sha256).digest()
    assert signing.dingtalk_sign("SECxyz", 1700000000000) == urllib.parse.quote_plus(base64.b64encode(digest))


# Aliyun -------------------------------------------------------------------------------------------


def _aliyun(url, secret="testsecret"):  # noqa: S107 - the documented test key
    return get_backend("aliyun", ENDPOINT=url, ACCESS_KEY_ID="testid", ACCESS_KEY_SECRET=secret,
                       SIGN_NAME="测试中心", TEMPLATE_CODE="SMS_1")


def test_aliyun_sends_signed_requests_and_reconciles_by_out_id():
    with serve(AliyunHandler) as (url, recorder):
        backend = _aliyun(url)
        results = backend.send([Outgoing("vg1a1", "13800000001", "【测试中心】学习通知"),
                                Outgoing("vg2a1", "13800009999", "【测试中心】学习通知")])
        assert results[0].ok and results[0].gateway_id == "biz1"
        assert not results[1].ok and not results[1].transient and "MOBILE_NUMBER_ILLEGAL" in results[1].error
        sent = recorder.requests[0]
        assert sent["OutId"] == "vg1a1" and json.loads(sent["TemplateParam"]) == {"content": "学习通知"}
        answers = backend.reconcile([Outgoing("vg1a1", "13800000001", ""), Outgoing("vg3a1", "13800000001", "")])
        assert answers["vg1a1"].ok and answers["vg3a1"] is None
        # A wrong secret is refused by the gateway: a permanent failure, not a silent success.
        assert "SignatureDoesNotMatch" in _aliyun(url, "wrong").send([Outgoing("vg4a1", "13800000001", "x")])[0].error


def test_aliyun_unreachable_gateway_is_transient():
    from .gateways import free_port

    result = _aliyun(f"http://127.0.0.1:{free_port()}/").send([Outgoing("vg1a1", "13800000001", "x")])[0]
    assert result.transient and not result.unknown


@pytest.fixture
def sent_messages(world):
    broadcast = services.create_broadcast(world.office, world.centre, title="通知", text="学习通知。",
                                          audience="branch", branch=world.branch2)
    dispatch.start_due()
    dispatch.send_pending(budget_seconds=5)
    messages = list(Message.objects.filter(broadcast=broadcast))
    for i, m in enumerate(messages):
        m.gateway_id = f"biz{i}"
        m.save(update_fields=["gateway_id"])
    return messages


def test_aliyun_receipt_push(world, sent_messages):
    api = APIClient()
    url = reverse("receipt-aliyun", args=["receipt-secret"])
    report = [{"phone_number": sent_messages[0].mobile, "send_time": "2026-11-23 08:00:01",
               "report_time": "2026-11-23 08:00:05", "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功",
               "sms_size": "1", "biz_id": "biz0", "out_id": sent_messages[0].client_ref},
              {"phone_number": sent_messages[1].mobile, "report_time": "2026-11-23 08:00:06", "success": False,
               "err_code": "MK:0001", "err_msg": "关机", "biz_id": "biz1", "out_id": sent_messages[1].client_ref}]
    response = api.post(url, report, format="json")
    assert response.status_code == 200 and response.json()["code"] == 0, response.content
    states = dict(Message.objects.filter(pk__in=[m.pk for m in sent_messages]).values_list("pk", "state"))
    assert states == {sent_messages[0].pk: "delivered", sent_messages[1].pk: "failed"}
    assert "关机" in Message.objects.get(pk=sent_messages[1].pk).error
    # Replayed: recognised, nothing changes.
    response = api.post(url, report, format="json")
    assert response.status_code == 409
    assert Receipt.objects.count() == 2
    # Forged: wrong token.
    response = api.post(reverse("receipt-aliyun", args=["guess"]), report, format="json")
    assert response.status_code == 403
    # Unknown message.
    response = api.post(url, [{**report[0], "biz_id": "nobody", "out_id": "vg999999a1"}], format="json")
    assert response.status_code == 404
    # Not a report at all.
    assert api.post(url, {"hello": 1}, format="json").status_code == 400


# Tencent ------------------------------------------------------------------------------------------


def test_tencent_sends_with_tc3_signature_checked_by_the_server():
    with serve(TencentHandler) as (url, recorder):
        options = {"ENDPOINT": url, "SECRET_ID": "AKIDtest", "SECRET_KEY": "tencent-secret", "REGION": "ap-beijing",
                   "SDK_APP_ID": "1400000000", "SIGN_NAME": "测试中心", "TEMPLATE_ID": "100"}
        result = get_backend("tencent", **options).send([Outgoing("vg5a1", "13800000001", "【测试中心】学习通知")])[0]
        assert result.ok and result.gateway_id == "sn1"
        assert recorder.requests[0]["SessionContext"] == "vg5a1"
        assert recorder.requests[0]["PhoneNumberSet"] == ["+8613800000001"]
        assert recorder.requests[0]["TemplateParamSet"] == ["学习通知"]
        bad = get_backend("tencent", **{**options, "SECRET_KEY": "wrong"}).send([Outgoing("vg6a1", "13800000001", "x")])
        assert not bad[0].ok and "SignatureFailure" in bad[0].error


def test_tencent_receipt_callback(world, sent_messages):
    api = APIClient()
    url = reverse("receipt-tencent", args=["receipt-secret"])
    report = [{"user_receive_time": "2026-11-23 08:00:05", "nationcode": "86", "mobile": sent_messages[0].mobile,
               "report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "用户短信送达成功", "sid": "biz0"}]
    assert api.post(url, report, format="json").json()["result"] == 0
    assert Message.objects.get(pk=sent_messages[0].pk).state == "delivered"
    assert api.post(url, report, format="json").status_code == 409
    assert api.post(reverse("receipt-tencent", args=["x"]), report, format="json").status_code == 403


# Work-group robots -----------------------------------------------------------------------------------


def test_dingtalk_and_wecom_robots(world, settings):
    with serve(RobotHandler) as (url, recorder):
        settings.SMS = {**settings.SMS, "ROBOTS": [f"dingtalk|{url}robot/send?access_token=t|SECdingtalk",
                                                   f"wecom|{url}cgi-bin/webhook/send?key=k"]}
        assert post_to_groups("【测试中心】周一学习提醒") == [("dingtalk", True, ""), ("wecom", True, "")]
        assert [body["text"]["content"] for _, body in recorder.requests] == ["【测试中心】周一学习提醒"] * 2
        assert Robot("dingtalk", f"{url}robot/send?access_token=t", "wrong").post("x")[0] is False
        broadcast = services.create_broadcast(world.office, world.centre, title="通知", text="周一学习。")
        assert services.post_to_work_groups(world.office, broadcast) == 2


# SMPP ------------------------------------------------------------------------------------------------


def test_ucs2_parts_follow_the_70_67_rule():
    assert len(ucs2_parts("学" * 70, 1)[0]) == 1
    parts, esm = ucs2_parts("学" * 71, 7)
    assert esm == 0x40 and len(parts) == 2
    assert parts[0][:6] == bytes([5, 0, 3, 7, 2, 1]) and len(parts[0]) == 6 + 134
    assert (parts[0][6:] + parts[1][6:]).decode("utf-16-be") == "学" * 71


@pytest.mark.slow
def test_monday_lesson_goes_out_over_smpp_and_receipts_mark_it_delivered(world, settings, tmp_path):
    with loopback_smsc(tmp_path) as (port, log):
        settings.SMS_BACKEND = "smpp"
        settings.SMS = {**settings.SMS, "SMPP": {**settings.SMS["SMPP"], "PORT": port, "SYSTEM_ID": "vanguard",
                                                 "PASSWORD": "secret"}}
        now = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=services.SHANGHAI)  # a Wednesday
        long_text = "本周学习：" + "坚持以人民为中心的发展思想，" * 6
        lesson = services.create_lesson(world.office, world.centre, title="每周一课", category="theory",
                                        sms_text=long_text, now=now)
        monday = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=services.SHANGHAI)
        assert lesson.send_at == monday
        broadcast = lesson.broadcasts.get()
        assert dispatch.start_due(now=monday - datetime.timedelta(seconds=1)) == []
        assert dispatch.start_due(now=monday) == [broadcast.pk]
        assert dispatch.send_pending(budget_seconds=20) == 6
        states = dict(Message.objects.filter(broadcast=broadcast).values_list("mobile", "state"))
        assert set(states.values()) == {"delivered"}, states
        received = smsc_log(log)
        assert {row["to"] for row in received} == {f"86{m}" for m in states}
        text = broadcast.text
        assert len(text) > 70
        for mobile in states:
            rows = sorted((r for r in received if r["to"] == f"86{mobile}"), key=lambda r: r["part"])
            assert [r["part"] for r in rows] == [f"{i}/{len(rows)}" for i in range(1, len(rows) + 1)]
            assert len(rows) == -(-len(text) // 67)
            assert "".join(r["text"] for r in rows) == text  # UCS-2, concatenated by UDH
        broadcast.refresh_from_db()
        assert broadcast.state == Broadcast.State.DONE


@pytest.mark.slow
def test_smpp_undeliverable_receipt_marks_failed(world, settings, tmp_path):
    from vanguard.org import services as org_services

    org_services.create_person(world.admin, world.centre, name="关机者", mobile="13912340000")
    with loopback_smsc(tmp_path) as (port, _log):
        settings.SMS_BACKEND = "smpp"
        settings.SMS = {**settings.SMS, "SMPP": {**settings.SMS["SMPP"], "PORT": port}}
        broadcast = services.create_broadcast(world.office, world.centre, title="通知", text="短通知。")
        dispatch.start_due()
        dispatch.send_pending(budget_seconds=10)
        failed = Message.objects.get(broadcast=broadcast, mobile="13912340000")
        assert failed.state == "failed" and "UNDELIV" in failed.error
        assert Message.objects.filter(broadcast=broadcast, state="delivered").count() == 6


def test_smpp_close_keeps_a_receipt_that_comes_before_unbind_resp(caplog):
    """An SMSC may deliver a receipt after our unbind and before its response: it is
    answered and kept (not taken for the response, which would leave the session bound)."""
    import socket
    import struct
    import threading

    from vanguard.messaging.channels.smpp import SmppBackend

    receipt = (b"id:gw42 sub:001 dlvrd:001 submit date:2611300800 done date:2611300800 stat:DELIVRD "
               b"err:000 text:")
    deliver_body = (b"\0" + b"\1\1" + b"8613800000001\0" + b"\0\0" + b"VG\0" + bytes([4, 0, 0]) + b"\0\0"
                    + bytes([0, 0, 0, 0]) + bytes([len(receipt)]) + receipt)
    server = socket.create_server(("127.0.0.1", 0))
    seen = []

    def smsc():
        conn, _ = server.accept()
        with conn:
            while True:
                head = conn.recv(16, socket.MSG_WAITALL)
                if len(head) < 16:
                    return
                length, command, _, sequence = struct.unpack(">LLLL", head)
                if length > 16:
                    conn.recv(length - 16, socket.MSG_WAITALL)
                seen.append(command)
                if command == 0x09:  # bind_transceiver
                    conn.sendall(struct.pack(">LLLL", 18, 0x80000009, 0, sequence) + b"X\0")
                elif command == 0x06:  # unbind: a receipt first, then the response
                    conn.sendall(struct.pack(">LLLL", 16 + len(deliver_body), 0x05, 0, 900) + deliver_body)
                    conn.sendall(struct.pack(">LLLL", 16, 0x80000006, 0, sequence))

    thread = threading.Thread(target=smsc, daemon=True)
    thread.start()
    backend = SmppBackend({"HOST": "127.0.0.1", "PORT": server.getsockname()[1]})
    backend.open()
    backend.close()
    thread.join(5)
    server.close()
    assert [r.gateway_id for r in backend.receipts] == ["gw42"]
    assert seen == [0x09, 0x06, 0x80000005]  # bind, unbind, deliver_sm_resp
    assert "bound state" not in caplog.text  # unbound before disconnecting
