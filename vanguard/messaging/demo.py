"""Demo data of messaging: a year of weekly lessons in the four categories
(fictional texts), the 抗疫先锋 story column, two circulated documents with
partial coverage and one booklet. Sent through the `file` channel into the
data dir, so nothing leaves the machine."""

import datetime
import io

from django.test.utils import override_settings
from django.utils import timezone

from vanguard.org.models import Person

from . import dispatch, services
from . import services_docs as docs
from .channels.local import FileBackend
from .models import CircularSignature, Message, ReadingRecord

THEORY = [
    ("学习新时代党的创新理论", "坚持用党的创新理论武装头脑、指导实践，做到学思用贯通、知信行统一。"),
    ("牢记为民服务宗旨", "全心全意为人民服务是党的根本宗旨。窗口是联系群众的第一线，每一次办件都是践行宗旨的考场。"),
    ("读原著学原文悟原理", "本周请围绕“以人民为中心的发展思想”自学原文不少于一小时，并写下一条心得。"),
    ("党章第一章学习提示", "党员必须履行八项义务、享有八项权利。请对照党章，查一查自己是否做到。"),
    ("增强“四个意识”", "增强政治意识、大局意识、核心意识、看齐意识，在岗位上体现为讲规矩、守程序、重效率。"),
    ("理解高质量发展", "优化营商环境是高质量发展的重要一环，“放管服”改革的每一项任务都要落到窗口。"),
]
HIGHLIGHTS = [
    ("一层党支部“周末大扫除”", "上周六，一层党支部组织党员参加创城“周末大扫除”，共清理楼道和绿地12处。"),
    ("二层党支部开展“1+10”联系群众", "二层党支部党员走访联系群众36户，收集意见建议9条，均已分办。"),
    ("星级党员风采", "本月星级党员中，有3位来自综合窗口，他们主动延时服务、帮办代办，获群众好评。"),
    ("红旗党支部创建推进会", "局党组召开红旗党支部创建推进会，对照“机制强、配置优、队伍稳、发挥好”四项标准查找差距。"),
    ("“桶前值守”志愿服务", "本月党员参加垃圾分类“桶前值守”86人次，累计服务129小时。"),
    ("“办不成事”窗口见闻", "三层“办不成事”窗口本月帮助群众解决跨部门难题14件，其中2件为历史遗留问题。"),
]
NOTICES = [
    ("三会一课安排", "本月党员大会定于第三周周四下午召开，请各支部提前做好准备，不得无故缺席。"),
    ("双百分考核材料报送", "请各支部于本月25日前报送党建考核21项指标材料，逾期视为未报。"),
    ("下沉社区报到", "请尚未完成社区报到的党员本周内到居住地社区报到并在系统中登记。"),
    ("节假日值班安排", "节假日期间大厅正常开放，请值班人员提前熟悉应急预案，保持通讯畅通。"),
    ("党费收缴提醒", "本季度党费请于月底前交纳至所在支部组织委员处。"),
    ("学习心得提交", "请于本周五前在系统中提交本月学习心得一篇，字数不少于300字。"),
]
INTEGRITY = [
    ("节前廉政提醒", "节日将至，严禁收受管理服务对象礼品礼金，严禁违规公款吃喝，严防“四风”反弹。"),
    ("窗口服务“十不准”", "不准推诿刁难、不准吃拿卡要、不准态度生硬。一言一行代表政府形象。"),
    ("警示教育", "某地窗口人员违规代办收费被查处。廉洁自律从小事做起，警钟长鸣。"),
    ("亮身份树形象", "党员上岗须佩戴党徽、亮明身份，主动接受群众监督。"),
    ("廉洁自律准则学习", "请对照《中国共产党廉洁自律准则》四条规范，开展一次自查自纠。"),
    ("作风建设“四查四纠”", "本月将开展纪律作风专项检查，重点检查迟到早退、脱岗离岗、服务态度等问题。"),
]
CATEGORIES = [("theory", THEORY), ("highlights", HIGHLIGHTS), ("notices", NOTICES), ("integrity", INTEGRITY)]
STORIES = [
    ("抗疫先锋：综合窗口党员突击队", "疫情期间，综合窗口党员突击队主动替岗补位，连续27天坚守大厅，保障企业开办“不打烊”。"),
    ("抗疫先锋：社保窗口“云帮办”", "社保窗口党员开通“云帮办”，通过视频为312位老人远程办理待遇认证。"),
    ("抗疫先锋：下沉社区的“大白”", "窗口党员张某某下沉社区45天，负责核酸检测秩序维护，被社区群众称为“最美大白”。"),
    ("抗疫先锋：不动产登记“预约+延时”", "不动产登记窗口实行“预约+延时”服务，疫情期间累计延时服务860小时。"),
    ("抗疫先锋：医保窗口“无接触”服务", "医保窗口推出邮寄办、电话办，为居家隔离群众办理报销182件。"),
]
CHAPTERS = [
    ("党员的义务", "党员必须履行下列义务：认真学习马克思列宁主义、毛泽东思想、邓小平理论……（摘编）"),
    ("党员的权利", "党员享有下列权利：参加党的有关会议，阅读党的有关文件，接受党的教育和培训……（摘编）"),
    ("廉洁自律规范", "坚持公私分明，先公后私，克己奉公；坚持崇廉拒腐，清白做人，干净做事……（摘编）"),
    ("窗口服务规范", "首问负责、一次告知、限时办结；亮身份、树形象、优服务、守纪律。"),
]


def _monday(date):
    return date - datetime.timedelta(days=date.weekday())


def _docx(title, paragraphs):
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf(title, paragraphs):
    from weasyprint import HTML

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (f"<html><head><meta charset='utf-8'><style>body{{font-family:'Noto Sans CJK SC',sans-serif}}"
            f"h1{{text-align:center;color:#b00}}</style></head><body><h1>{title}</h1>{body}</body></html>")
    return HTML(string=html).write_pdf()


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def build(ctx):
    office, rng = ctx.users["office"], ctx.rng
    centre = ctx.centre
    now = timezone.now()
    this_monday = _monday(timezone.localdate())
    year_ago = now - datetime.timedelta(weeks=53)
    # A year of weekly lessons (past ones get sent below) and four weeks ahead.
    lessons = 0
    for week in range(-52, 4):
        monday = this_monday + datetime.timedelta(weeks=week)
        category, texts = CATEGORIES[(week + 52) % 4]
        title, text = texts[((week + 52) // 4) % len(texts)]
        send_at = datetime.datetime.combine(monday, datetime.time(8, 0), tzinfo=services.SHANGHAI)
        services.create_lesson(office, centre, title=title, category=category, sms_text=text,
                               web_body=f"{text}\n\n（本课全文）{text}请结合岗位实际认真学习领会。" if week % 3 == 0 else "",
                               audience="members" if category == "integrity" else "all", send_at=send_at,
                               now=year_ago)
        lessons += 1
    column = services.create_column(office, centre, name="抗疫先锋", description="疫情防控中的先进团队和个人事迹")
    for i, (title, text) in enumerate(STORIES):
        send_at = datetime.datetime.combine(this_monday - datetime.timedelta(weeks=30 - i * 2, days=-2),
                                            datetime.time(9, 30), tzinfo=services.SHANGHAI)
        services.create_lesson(office, centre, title=title, column=column, sms_text=text, send_at=send_at,
                               now=year_ago)
    # Send what is due through the file channel (no quiet hours: this is the past), then mark receipts.
    outbox = FileBackend()
    with override_settings(SMS_BACKEND="file"):
        from django.conf import settings

        with override_settings(SMS={**settings.SMS, "QUIET_HOURS": "", "RATE_PER_SECOND": 0}):
            dispatch.start_due(now=now)
            while dispatch.send_pending(budget_seconds=60, backend=outbox):
                pass
    sent = Message.objects.filter(broadcast__centre=centre, state=Message.State.SENT)
    failed_ids = list(sent.values_list("pk", flat=True)[::97])
    sent.exclude(pk__in=failed_ids).update(state=Message.State.DELIVERED, delivered_at=now)
    Message.objects.filter(pk__in=failed_ids).update(state=Message.State.FAILED, error="UNDELIV 用户关机")

    # Two circulated documents with partial coverage.
    first = docs.upload_circular(office, centre, title="关于深入开展党章党规学习的通知", issuer="区委组织部",
                                 number="区组通〔2026〕15号",
                                 file=_upload("通知.pdf", _pdf("关于深入开展党章党规学习的通知", [
                                     "各党支部：", "为进一步加强党员教育管理，现就深入学习党章党规有关事项通知如下。",
                                     "一、学习内容：党章、廉洁自律准则、纪律处分条例。",
                                     "二、学习方式：支部集中学习与个人自学相结合。"])))
    docs.circulate(office, first, ctx.branches)
    second = docs.upload_circular(office, centre, title="关于进一步优化政务服务的实施意见", issuer="区政府办公室",
                                  number="区政办发〔2026〕7号",
                                  file=_upload("实施意见.docx", _docx("关于进一步优化政务服务的实施意见", [
                                      "为持续优化营商环境，提升政务服务效能，提出如下意见。",
                                      "一、推行“一件事一次办”。二、深化“告知承诺”审批。三、健全“办不成事”反映机制。"])))
    docs.circulate(office, second, ctx.branches[:2])
    for circular, share in ((first, 0.7), (second, 0.35)):
        readers = list(docs.readers(circular).order_by("pk"))
        chosen = [p for p in readers if rng.random() < share]
        CircularSignature.objects.bulk_create([CircularSignature(circular=circular, person=p, branch_id=p.branch_id)
                                               for p in chosen])
        for signature in CircularSignature.objects.filter(circular=circular):
            CircularSignature.objects.filter(pk=signature.pk).update(
                signed_at=now - datetime.timedelta(hours=rng.randint(1, 200)))

    # One booklet written in the system, with reading records.
    booklet = docs.create_booklet(office, centre, title="学以致用", description="党员应知应会摘编，方便随时学。")
    chapters = [docs.add_chapter(office, booklet, title=t, body=b) for t, b in CHAPTERS]
    members = list(Person.objects.filter(centre=centre).members().order_by("pk"))
    records = []
    for person in members:
        if rng.random() < 0.6:
            records.append(ReadingRecord(booklet=booklet, person=person, times=rng.randint(1, 5)))
            records += [ReadingRecord(booklet=booklet, chapter=c, person=person) for c in chapters
                        if rng.random() < 0.5]
    ReadingRecord.objects.bulk_create(records)
    ctx.say(f"{lessons} weekly lessons, {len(STORIES)} stories, {Message.objects.filter(broadcast__centre=centre).count()}"
            f" messages (file channel: {outbox.path}), 2 circulars, 1 booklet")
