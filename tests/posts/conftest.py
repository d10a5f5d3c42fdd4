import datetime
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache

from vanguard.posts import services
from vanguard.posts.models import KeyProject, PostKind, VanguardPost

PLEDGES = {
    "pledge_work": "材料一次告知，不让群众跑冤枉路",
    "pledge_time": "即办件当场办结，承诺件提前办结",
    "pledge_quality": "首问负责、一次办好，差错率为零",
    "pledge_attitude": "微笑服务，文明用语，耐心解答",
}


@dataclass
class Posts:
    standard: object
    project: object
    draft: VanguardPost
    disclosed: VanguardPost
    named: VanguardPost


def make_post(world, actor=None, *, name="A01企业开办先锋岗", holders=None, **extra):
    fields = {"kind": PostKind.WINDOW, "window": world.window1, "service_scope": "企业设立登记\n变更登记",
              **PLEDGES, **extra}
    return services.create_post(actor or world.office, world.centre, name=name,
                                holders=holders or [(world.member_person, "窗口受理员"), world.secretary_person],
                                **fields)


@pytest.fixture
def posts(world):
    office = world.office
    standard = services.create_standard(office, world.centre, industry="政务服务", post_kind=PostKind.WINDOW,
                                        title="综合受理窗口岗位标准", text="一次性告知\n首问负责")
    project = services.create_project(office, world.centre, name="新区管廊工程", category=KeyProject.Category.KEY,
                                      district="测试区", address="纬二路", latitude="25.04", longitude="102.71",
                                      units=[world.home_unit])
    draft = make_post(world, name="草稿岗", standard=standard)
    disclosed = services.disclose_post(office, make_post(world, name="B01社保先锋岗", window=world.window2,
                                                         holders=world.branch2_members, project=project))
    named = services.disclose_post(office, make_post(world, name="A01企业开办先锋岗", standard=standard))
    named = services.name_post(office, named, organization=world.root, named_on=datetime.date(2026, 1, 5),
                               certificate_number="XFG-2026-001", override_reason="首批创建，党组研究决定命名")
    return Posts(standard=standard, project=project, draft=draft, disclosed=disclosed, named=named)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def public_base(settings):
    settings.PUBLIC_BASE_URL = "https://vg.example.cn"
    return settings.PUBLIC_BASE_URL


def decode_qr(png_bytes):
    """The texts of the QR codes in a PNG, read by zbarimg (Debian zbar-tools)."""
    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg (zbar-tools) is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "qr.png"
        path.write_bytes(png_bytes)
        result = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, check=False)
    return [line for line in result.stdout.splitlines() if line]
