"""Demo posts: a standards library, two key projects and about 40 posts in every
state (draft, disclosed, named, revoked, and one named again after a new
evaluation), built through the services so the history shows every step."""

import datetime

from vanguard.org.avatars import avatar

from . import services
from .models import KeyProject, PostKind, VanguardPost

STANDARDS = [
    ("政务服务", PostKind.WINDOW, "综合受理窗口岗位标准",
     "一次性告知办事所需全部材料\n首问负责，不推诿\n材料齐全当场受理\n按时办结，超时主动说明\n文明用语，微笑服务"),
    ("政务服务", PostKind.PERSON, "窗口党员岗位标准",
     "佩戴党员徽章，亮明身份\n业务熟练，一口清答复\n带头执行服务规范\n主动帮办代办\n廉洁自律，不吃拿卡要"),
    ("政务服务", PostKind.TEAM, "党员服务队岗位标准",
     "党员带头，班组协同\n高峰时段增开窗口\n疑难事项集体会商\n每月开展一次服务提升活动"),
    ("政务服务", PostKind.SERVICE, "帮办服务岗位标准",
     "企业群众有所需，我必有所帮\n老年人、残疾人绿色通道\n代写代办代理\n“办不成事”问题当日登记、限时回复"),
    ("建设工程", PostKind.TEAM, "重点项目服务岗位标准",
     "项目审批全程帮办\n并联审批，容缺受理\n每周到项目现场一次\n问题清单限期销号"),
]

PLEDGES = [
    ("材料一次告知，不让群众跑冤枉路", "即办件当场办结，承诺件提前办结", "首问负责、一次办好，差错率为零",
     "微笑服务，文明用语，耐心解答每一个问题"),
    ("按标准流程办理，做到件件有着落", "承诺时限内办结，超时主动说明原因", "让服务对象一看就清楚、一办就满意",
     "热情接待，不推诿、不刁难、不冷漠"),
    ("亮身份、树形象、优服务、守纪律", "午间和周末预约服务不断档", "主动帮办代办，办不成的事有人管",
     "对老年人、残疾人优先办理、全程陪同"),
]

PROJECTS = [
    ("云岭新区综合管廊工程", KeyProject.Category.KEY, "云岭区", "云岭新区纬二路", "25.043210", "102.712345"),
    ("老旧小区改造惠民工程", KeyProject.Category.PUBLIC_BENEFIT, "盘江区", "盘江区幸福里社区", "25.021100",
     "102.690900"),
]


def build(ctx):
    actor = ctx.users.get("office") or ctx.admin
    centre = ctx.centre
    standards = {}
    for industry, kind, title, text in STANDARDS:
        standard = services.create_standard(actor, centre, industry=industry, post_kind=kind, title=title, text=text)
        standards.setdefault(kind, standard)
    projects = [services.create_project(actor, centre, name=name, category=category, district=district,
                                        address=address, latitude=lat, longitude=lng,
                                        units=ctx.home_units[i * 3:i * 3 + 3])
                for i, (name, category, district, address, lat, lng) in enumerate(PROJECTS)]
    members_by_window = {}
    for person in ctx.people:
        members_by_window.setdefault(person.window_id, []).append(person)

    posts = []

    def add(name, kind, holders, photo=False, **where):
        pledges = PLEDGES[len(posts) % len(PLEDGES)]
        post = services.create_post(
            actor, centre, name=name, kind=kind, holders=holders, standard=standards.get(kind),
            service_scope=where.pop("scope"), pledge_work=pledges[0], pledge_time=pledges[1],
            pledge_quality=pledges[2], pledge_attitude=pledges[3], **where)
        if photo:
            post.photo.save(f"post{post.pk}.jpg", avatar(name, post.pk), save=True)
        posts.append(post)
        return post

    for window in ctx.windows:
        staff = members_by_window.get(window.pk, [])
        members = [p for p in staff if p.is_party_member]
        if not members:
            continue
        # Only party members hold a 共产党员先锋岗 (the service refuses anyone else).
        holders = members[:3]
        add(f"{window.number}窗口{window.name}先锋岗", PostKind.WINDOW, holders, window=window,
            scope="\n".join(window.service_item_list[:4]) or window.name)
    for floor, branch in zip(ctx.floors, ctx.branches, strict=True):
        members = [p for p in ctx.members if p.branch_id == branch.pk][:4]
        add(f"{floor.name}党员服务队", PostKind.TEAM, members, photo=True, unit=ctx.home_units[floor.number],
            scope=f"{floor.name}全部窗口的高峰分流、疑难事项会商和帮办服务")
    for person in (ctx.members[5], ctx.members[40]):
        add(f"{person.name}党员示范岗", PostKind.PERSON, [(person, person.job)], window=person.window,
            scope="\n".join(person.window.service_item_list[:3]) if person.window_id else "综合受理")
    add("“办不成事”反映窗口", PostKind.SERVICE, ctx.members[20:22], window=ctx.windows[1],
        scope="受理“办不成事”问题\n协调相关单位限时办结\n办结后回访")
    add("“密切帮”先锋服务岗", PostKind.SERVICE, ctx.members[-3:], photo=True, window=ctx.windows[0],
        scope="帮办代办\n老年人、残疾人绿色通道\n“办不成事”问题登记和跟踪")
    for i, project in enumerate(projects):
        members = ctx.members[10 + i * 3:13 + i * 3]
        add(f"{project.name}审批服务先锋岗", PostKind.TEAM, members, project=project, department=ctx.departments[i],
            scope="项目审批全程帮办\n并联审批、容缺受理\n现场服务")

    # Walk the posts through the lifecycle: about a fifth stay drafts, the rest are disclosed,
    # most of those named, a few revoked and one of those named again on a new evaluation.
    today = ctx.today
    counts = dict.fromkeys(VanguardPost.Status.values, 0)
    for i, post in enumerate(posts):
        if i % 5 == 4:
            counts["draft"] += 1
            continue
        services.disclose_post(actor, post, disclosed_on=today - datetime.timedelta(days=200 - i))
        if i % 5 == 3:
            counts["disclosed"] += 1
            continue
        # The first posts were named when the campaign started, before any quarterly evaluation:
        # the office's written decision says so (the certificate states it, never a made-up evaluation).
        services.name_post(actor, post, organization=ctx.root,
                           named_on=today - datetime.timedelta(days=120 - i),
                           certificate_number=f"YL-XFG-{today.year - 1}-{i + 1:03d}",
                           override_reason="创建活动首批命名：经党组会议研究，由党建科提名先行命名，此后按季度测评")
        if i % 9 == 2:
            services.revoke_post(actor, post, reason="连续两次季度满意度测评不合格",
                                 revoked_on=today - datetime.timedelta(days=20))
            if i == 2:
                services.name_post(actor, post, organization=ctx.root, named_on=today,
                                   certificate_number=f"YL-XFG-{today.year}-{i + 1:03d}",
                                   override_reason="整改到位，经党组会议研究决定重新命名", reason="整改后重新命名")
                counts["named"] += 1
            else:
                counts["revoked"] += 1
        else:
            counts["named"] += 1
    ctx.say(f"{len(posts)} posts ({', '.join(f'{k} {v}' for k, v in counts.items())}), "
            f"{len(STANDARDS)} standards, {len(projects)} key projects")
