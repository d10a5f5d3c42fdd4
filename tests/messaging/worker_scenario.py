"""Run inside a subprocess (django set up) by test_worker_kill.py: builds the data of
the kill-the-worker scenario in the scenario's own database."""

from django.db import transaction

from vanguard.core.models import Grant, User
from vanguard.core.roles import Role
from vanguard.core.system import SYSTEM
from vanguard.org import services as org_services
from vanguard.org.models import Person


def setup(recipients):
    admin = User.objects.create_user(username="admin", password="x", is_superuser=True)
    Grant.objects.create(user=admin, role=Role.ADMIN)
    centre = org_services.create_centre(SYSTEM, name="压力测试中心", code="kill")
    Person.objects.bulk_create([Person(centre=centre, name=f"人员{i}", mobile=f"139{i:08d}")
                                for i in range(recipients)], batch_size=1000)
    from vanguard.messaging import services

    with transaction.atomic():
        broadcast = services.create_broadcast(admin, centre, title="全员通知", text="请于本周五前完成学习打卡。")
    print(broadcast.pk)


def enqueue(count):
    from vanguard.messaging.tasks import dispatch

    for _ in range(count):
        dispatch.enqueue()
