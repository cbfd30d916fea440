"""The console in a real browser (Debian's headless Chromium, driven by Playwright) on the whole
stack: a case from the dispatcher's queue to the callback, each step by a person of the right role;
another unit's case refused with a 403 page; lock-out and CSRF; a live update in a unit's inbox;
the other case actions through their forms (extension, return, tier, whistle and respond); the
admin's page; the leaders' figures and the cases behind them; axe-core on each role's main page.
``MINSHENG_SCREENSHOTS=1`` also writes docs/console/*.png."""

from __future__ import annotations

import asyncio
import io
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright, expect
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.context import AppContext
from domain.case import Role
from minsheng.settings import Settings
from minsheng.setup import migrate
from persistence.db import Database
from services import accounts
from tests.helpers import GAS, GPS, ROOT, SHANGHAI, UNCLEAR, WAGES, body, free_port, make_key, photo, somewhere
from worker import build_worker

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"
PEOPLE = {
    "wang": ("调度员王芳", "dispatcher", None),
    "li": ("人社局李强", "unit", "hrss_bureau"),
    "zhang": ("崖头街道张伟", "unit", "yatou"),
    "chen": ("回访员陈静", "callback_agent", None),
    "zhao": ("主任赵建国", "leader", None),
    "zhou": ("审计员周敏", "auditor", None),
    "admin": ("系统管理员", "admin", None),
}
AXE = (Path(__file__).parent / "axe" / "axe.min.js").read_text()
SHOTS = ROOT / "docs" / "console"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="apt-get install chromium fonts-noto-cjk")


@dataclass
class Console:
    url: str
    http: httpx.AsyncClient
    keys: dict[str, dict[str, str]]
    browser: Browser
    db: Database

    async def submit(self, ref: str, content: str, **extra: object) -> str:
        request = body(channel_ref=ref, content=content, location=somewhere().model_dump()) | extra
        answer = await self.http.post("/v1/requests", json=request, headers=self.keys["intake"])
        assert answer.status_code == 201, answer.text
        return str(answer.json()["case_id"])

    async def case(self, case_id: str) -> dict:
        return (await self.http.get(f"/v1/cases/{case_id}", headers=self.keys["auditor"])).json()  # type: ignore[no-any-return]

    async def until_status(self, case_id: str, status: str) -> dict:
        for _ in range(300):
            case = await self.case(case_id)
            if case["status"] == status:
                return case
            await asyncio.sleep(0.1)
        raise AssertionError(f"case {case_id} is {case['status']}, not {status}")

    async def sign_in(self, login: str, password: str = PASSWORD, name: str | None = None) -> Page:
        page = await (
            await self.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        ).new_page()
        await page.goto(f"{self.url}/console/login")
        await page.get_by_label("账号").fill(login)
        await page.get_by_label("密码").fill(password)
        await page.get_by_role("button", name="登录").click()
        await expect(page.locator("header .me")).to_contain_text(name or PEOPLE[login][0])
        return page

    async def open_case(self, page: Page, case_id: str) -> None:
        await page.goto(f"{self.url}/console/cases/{case_id}")
        await expect(page.locator("h1")).to_contain_text(case_id)

    async def act(self, page: Page, form: str, fields: dict[str, str], button: str, flash: str = "操作已完成") -> None:
        """Fill a case page's form (by its title) and press its button; the page says it was done."""
        found = page.get_by_role("form", name=form)
        for label, value in fields.items():
            field = found.get_by_label(label)
            if await field.evaluate("e => e.tagName") == "SELECT":
                await field.select_option(value)
            else:
                await field.fill(value)
        await found.get_by_role("button", name=button, exact=True).click()
        await expect(page.get_by_role("status").first).to_contain_text(flash)

    async def people_in_timeline(self, case_id: str) -> list[tuple[str, str | None]]:
        return [(e["kind"], e["actor_person"]) for e in (await self.case(case_id))["timeline"]]


@pytest.fixture(scope="module")
async def console(dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Console]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('console') / 'minsheng.db'}"
    settings = Settings(
        database_url=url,
        config_dir=ROOT / "config",
        task_queue=f"test-{uuid.uuid4().hex[:8]}",
        console_max_failures=3,
        events_stream_seconds=20,
    )
    await migrate(settings)
    db = Database(url)
    for login, (name, role, unit) in PEOPLE.items():
        await accounts.add_user(db, settings.reference, login, name, role, unit, PASSWORD)
    keys = {
        name: {"Authorization": f"Bearer {(await make_key(db, role, unit))[1]}"}
        for name, role, unit in [
            ("intake", Role.intake, None),
            ("dispatcher", Role.dispatcher, None),
            ("auditor", Role.auditor, None),
        ]
    }
    app = create_app(settings, AppContext(settings, db, dev_env.client, settings.reference))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    async with build_worker(dev_env.client, settings, db), async_playwright() as playwright:
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            yield Console(base, http, keys, browser, db)
        await browser.close()
        server.should_exit = True
        await serving
    await db.close()


async def shot(page: Page, name: str) -> None:
    if os.environ.get("MINSHENG_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_a_case_goes_from_the_dispatchers_queue_to_the_callback_each_step_by_its_person(console: Console) -> None:
    case_id = await console.submit("C-1", UNCLEAR)
    await console.until_status(case_id, "received")

    dispatcher = await console.sign_in("wang")
    await expect(dispatcher.locator("h1")).to_contain_text("待派单")
    row = dispatcher.locator("tr", has=dispatcher.get_by_role("link", name=case_id))
    await expect(row).to_contain_text(UNCLEAR)
    await expect(row).to_contain_text("群众时限")
    await row.get_by_role("link", name=case_id).click()
    dispatch = dispatcher.get_by_role("form", name="派单")
    await dispatch.get_by_label("承办单位").select_option("hrss_bureau")
    await dispatch.get_by_label("事项类型").select_option("wage_arrears")
    await dispatch.get_by_label("备注").fill("人工分拨：欠薪")
    await dispatch.get_by_role("button", name="派单").click()
    await expect(dispatcher.get_by_role("status")).to_contain_text("操作已完成")
    await expect(dispatcher.locator("h1")).to_contain_text("已派单")

    unit = await console.sign_in("li")
    new = unit.locator("tr", has=unit.get_by_role("link", name=case_id))
    await expect(new).to_contain_text("办理时限")
    await new.get_by_role("button", name="签收").click()
    await expect(unit.get_by_role("status").first).to_contain_text("操作已完成")
    await unit.goto(f"{console.url}/console/cases/{case_id}")
    reply = unit.get_by_role("form", name="办结回复")
    await reply.get_by_label("办理结果").fill("已督促企业足额支付拖欠工资")
    await reply.get_by_role("button", name="办结回复").click()
    await expect(unit.locator("h1")).to_contain_text("已答复")

    agent = await console.sign_in("chen")
    task = agent.locator("section", has=agent.get_by_role("link", name=case_id))
    for _ in range(100):  # the callback task is written a moment after the reply
        if await task.count():
            break
        await asyncio.sleep(0.2)
        await agent.reload()
    await expect(task).to_contain_text("王五")
    await expect(task).to_contain_text("13700000000")  # an agent calls: the number is whole
    await task.get_by_label("满意", exact=True).check()
    await task.get_by_label("已解决").check()
    await task.get_by_role("button", name="记录回访结果").click()
    await expect(agent.get_by_role("status").first).to_contain_text("操作已完成")

    closed = await console.until_status(case_id, "closed")
    assert closed["outcome"] == "satisfied"
    people = {e["kind"]: e["actor_person"] for e in closed["timeline"] if e["actor_person"]}
    assert people == {"dispatched": "wang", "accepted": "li", "replied": "li", "callback": "chen"}
    await agent.goto(f"{console.url}/console/cases/{case_id}")
    timeline = agent.get_by_role("region", name="处理时间线")
    for name in ("调度员王芳", "人社局李强", "回访员陈静"):
        await expect(timeline).to_contain_text(name)


async def test_a_unit_sees_another_units_case_as_a_403_page(console: Console) -> None:
    case_id = await console.submit("C-2", WAGES)
    await console.until_status(case_id, "dispatched")  # to hrss_bureau, by the classifier
    other = await console.sign_in("zhang")
    answer = await other.goto(f"{console.url}/console/cases/{case_id}")
    assert answer is not None and answer.status == 403
    assert "text/html" in answer.headers["content-type"]
    await expect(other.locator("h1")).to_have_text("无权访问")
    await expect(other.locator("main")).to_contain_text("您的角色或单位无权查看此页面")
    await expect(other.get_by_role("link", name="返回首页")).to_be_visible()
    # Nor may it act on it: the form's post (with the person's own token) is refused the same way.
    await other.goto(f"{console.url}/console/inbox")
    csrf = await other.locator("body").get_attribute("hx-headers")
    assert csrf is not None
    token = csrf.split('"')[3]
    posted = await other.request.post(f"{console.url}/console/cases/{case_id}/accept", form={"csrf": token})
    assert posted.status == 403
    assert (await console.case(case_id))["status"] == "dispatched"


async def test_repeated_failures_lock_an_account_and_a_form_without_its_token_is_refused(console: Console) -> None:
    page = await (await console.browser.new_context(locale="zh-CN")).new_page()
    for _ in range(3):
        await page.goto(f"{console.url}/console/login")
        await page.get_by_label("账号").fill("zhou")
        await page.get_by_label("密码").fill("wrong password!")
        await page.get_by_role("button", name="登录").click()
        await expect(page.get_by_role("alert")).to_contain_text("账号或密码错误")
    await page.get_by_label("账号").fill("zhou")
    await page.get_by_label("密码").fill(PASSWORD)  # right, but the account is locked now
    await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("alert")).to_contain_text("已锁定")
    assert page.url.endswith("/console/login?failed=1")

    dispatcher = await console.sign_in("wang")
    case_id = await console.submit("C-3", UNCLEAR, channel="wechat")
    await console.until_status(case_id, "received")
    forged = await dispatcher.request.post(
        f"{console.url}/console/cases/{case_id}/dispatch", form={"unit": "hrss_bureau", "matter_type": "wage_arrears"}
    )
    assert forged.status == 403 and "表单已过期或来源不明" in await forged.text()
    assert (await console.case(case_id))["status"] == "received"
    signed_out = await console.http.get("/console/queue", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/console/login"


async def test_a_dispatch_appears_in_the_units_inbox_without_a_reload(console: Console) -> None:
    inbox = await console.sign_in("zhang")
    await expect(inbox.locator("h1")).to_contain_text("待办")
    await inbox.evaluate("window.notReloaded = true")
    case_id = await console.submit("C-4", UNCLEAR, address="崖头街道海湾路8号")
    await console.until_status(case_id, "received")
    dispatched = await console.http.post(
        f"/v1/cases/{case_id}/dispatch",
        json={"unit": "yatou", "matter_type": "neighbour_dispute", "note": "崖头"},
        headers=console.keys["dispatcher"],
    )
    assert dispatched.status_code == 200, dispatched.text
    await expect(inbox.locator("#inbox").get_by_role("link", name=case_id)).to_be_visible(timeout=15_000)
    assert await inbox.evaluate("window.notReloaded") is True


async def test_each_roles_main_page_has_no_serious_accessibility_violation(console: Console) -> None:
    for sample, content in (("S-1", GAS), ("S-2", "小区门口路灯坏了好几天，晚上很黑"), ("S-3", UNCLEAR)):
        await console.submit(sample, content)
    for login, name in (
        ("wang", "dispatcher-queue"),
        ("li", "unit-inbox"),
        ("chen", "callback-visits"),
        ("zhao", "leader-overview"),
        ("zhou", "auditor-search"),
        ("admin", "admin-users"),
    ):
        if login == "zhou":  # locked by the lock-out test: an admin lifts it with a new password
            await accounts.set_password(console.db, "zhou", PASSWORD)
        page = await console.sign_in(login)
        await page.add_script_tag(content=AXE)
        found = await page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
        bad = [(v["id"], v["impact"], len(v["nodes"])) for v in found if v["impact"] in ("serious", "critical")]
        assert bad == [], f"{login}: {bad}"
        await shot(page, name)


async def test_a_unit_asks_for_an_extension_and_to_return_the_case_and_the_dispatcher_decides_and_changes_its_tier(
    console: Console,
) -> None:
    case_id = await console.submit("C-5", WAGES)
    before = await console.until_status(case_id, "dispatched")  # to hrss_bureau, by the classifier
    until = datetime.fromisoformat(before["deadline_at"]).astimezone(SHANGHAI).replace(hour=18, minute=0) + timedelta(
        days=5
    )
    unit = await console.sign_in("li")
    await console.open_case(unit, case_id)
    await console.act(
        unit,
        "申请延期",
        {"延期至": until.strftime("%Y-%m-%dT%H:%M"), "理由": "需调取社保缴费记录"},
        "申请延期",
    )

    dispatcher = await console.sign_in("wang")
    await console.open_case(dispatcher, case_id)
    await expect(dispatcher.get_by_role("status")).to_contain_text("需调取社保缴费记录")
    await console.act(dispatcher, "延期审核", {"备注": "同意延期"}, "同意")
    facts = dispatcher.get_by_role("region", name="详情")
    await expect(facts).to_contain_text(until.strftime("%Y-%m-%d %H:%M"))  # the unit's new deadline
    await console.act(dispatcher, "调整等级", {"等级": "orange", "理由": "涉及多名农民工，需加急"}, "调整等级")
    await expect(dispatcher.locator("h1 .tier-orange")).to_have_text("orange")

    await console.open_case(unit, case_id)
    await console.act(unit, "申请退回", {"理由": "不属本单位职责"}, "申请退回")
    await console.open_case(dispatcher, case_id)
    await expect(dispatcher.get_by_role("status")).to_contain_text("不属本单位职责")
    await console.act(dispatcher, "退回审核", {"备注": "属本单位职责，请继续办理"}, "不同意")
    await expect(dispatcher.locator("h1")).to_contain_text("已派单")  # it stays with the unit
    timeline = dispatcher.get_by_role("region", name="处理时间线")
    for kind, name in (
        ("extension_approved", "同意延期"),
        ("tier_changed", "调整等级"),
        ("return_refused", "退单未获同意"),
    ):
        await expect(timeline.locator(f"tr[data-kind={kind}]")).to_contain_text(name)
        await expect(timeline.locator(f"tr[data-kind={kind}]")).to_contain_text("调度员王芳")
    for kind, name in (("extension_requested", "申请延期"), ("return_requested", "申请退单")):
        await expect(timeline.locator(f"tr[data-kind={kind}]")).to_contain_text(name)
        await expect(timeline.locator(f"tr[data-kind={kind}]")).to_contain_text("人社局李强")
    # The date asked for, as the city's clock reads it (not UTC's ISO).
    await expect(timeline.locator("tr[data-kind=extension_requested]")).to_contain_text(
        until.strftime("%Y-%m-%d %H:%M")
    )
    assert [e for e in await console.people_in_timeline(case_id) if e[1]] == [
        ("extension_requested", "li"),
        ("extension_approved", "wang"),
        ("tier_changed", "wang"),
        ("return_requested", "li"),
        ("return_refused", "wang"),
    ]


async def test_a_unit_whistles_another_which_responds_from_its_inbox(console: Console) -> None:
    case_id = await console.submit("C-6", WAGES)
    await console.until_status(case_id, "dispatched")
    lead = await console.sign_in("li")
    await console.open_case(lead, case_id)
    await console.act(
        lead, "吹哨", {"承办单位": "yatou", "任务": "属地稳控", "理由": "工人聚集"}, "吹哨", flash="已发送"
    )

    summoned = await console.sign_in("zhang")
    inbox = summoned.locator("#inbox")
    row = inbox.locator("tr", has=summoned.get_by_role("link", name=case_id))
    for _ in range(50):  # the summons is recorded a moment after the whistle
        if await row.count():
            break
        await asyncio.sleep(0.2)
        await summoned.reload()
    await expect(row).to_contain_text("属地稳控")
    await expect(row).to_contain_text("人力资源和社会保障局")  # the lead unit
    await row.get_by_role("link", name=case_id).click()
    await console.act(summoned, "报到 W1", {"报到情况": "已到场做好工人稳控工作"}, "报到", flash="已发送")

    timeline = summoned.get_by_role("region", name="处理时间线")
    for _ in range(50):  # so is the response
        if await timeline.locator("tr[data-kind=responded]").count():
            break
        await asyncio.sleep(0.2)
        await summoned.reload()
    summonses = summoned.get_by_role("region", name="吹哨报到")
    await expect(summonses.locator("tr", has_text="W1")).to_contain_text("已到场做好工人稳控工作")
    await expect(summonses.locator("tr", has_text="W1")).to_contain_text("已报到")
    await expect(timeline.locator("tr[data-kind=summoned]")).to_contain_text("吹哨")
    await expect(timeline.locator("tr[data-kind=summoned]")).to_contain_text("人社局李强")
    await expect(timeline.locator("tr[data-kind=responded]")).to_contain_text("崖头街道张伟")


async def test_an_admin_adds_a_unit_user_who_signs_in_and_others_get_the_403_page_with_their_navigation(
    console: Console,
) -> None:
    admin = await console.sign_in("admin")

    async def add(password: str) -> None:
        form = admin.get_by_role("form", name="新增用户")
        await form.evaluate("f => f.noValidate = true")  # the browser would ask for 10 characters too
        await form.get_by_label("账号").fill("sun")
        await form.get_by_label("姓名").fill("港湾街道孙丽")
        await form.get_by_label("角色").select_option("unit")
        await form.get_by_label("承办单位").select_option("gangwan")
        await form.get_by_label("密码").fill(password)
        await form.get_by_role("button", name="新增用户").click()

    await add("short")
    await expect(admin.get_by_role("alert")).to_contain_text("a password needs at least 10 characters")
    await add("harbour street 7")
    await expect(admin.get_by_role("status")).to_contain_text("用户已新增")
    await expect(admin.locator("tr", has_text="sun")).to_contain_text("港湾街道孙丽")

    newcomer = await console.sign_in("sun", "harbour street 7", "港湾街道孙丽")
    await expect(newcomer.locator("h1")).to_contain_text("待办")
    for path, status, heading in (("/console/admin/users", 403, "无权访问"), ("/console/cases/NOSUCH", 404, "未找到")):
        answer = await newcomer.goto(f"{console.url}{path}")
        assert answer is not None and answer.status == status
        await expect(newcomer.locator("h1")).to_have_text(heading)
        # Still signed in, and it shows: the person, their pages, and signing out.
        await expect(newcomer.locator("header .me")).to_contain_text("港湾街道孙丽")
        await expect(newcomer.get_by_role("navigation").get_by_role("link", name="待办")).to_be_visible()
    await newcomer.get_by_role("button", name="退出").click()
    await expect(newcomer.get_by_role("button", name="登录")).to_be_visible()


async def test_each_figure_on_the_leaders_page_opens_the_cases_it_counts_today_and_this_month(
    console: Console,
) -> None:
    case_id = await console.submit("C-7", UNCLEAR, channel="wechat")
    leader = await console.sign_in("zhao")
    figures = leader.locator(".figure")
    links = leader.locator(".figure a")
    assert await links.count() == await figures.count() + 1 + 3 + 7  # a month beside received, slips, rates
    for href in await links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert href.startswith("/console/cases?"), href
    received = leader.locator(".figure", has_text="今日受理")
    await expect(received.locator("a.month")).to_contain_text("本月累计")
    await received.locator("a").first.click()
    await expect(leader.locator("h1")).to_contain_text("案件列表")
    await expect(leader.get_by_role("link", name=case_id)).to_be_visible()
    await leader.go_back()
    await received.locator("a.month").click()
    await expect(leader.get_by_role("link", name=case_id)).to_be_visible()
    answer = await leader.goto(f"{console.url}/console/cases?on=tomorrow")
    assert answer is not None and answer.status == 422
    await expect(leader.locator("main")).to_contain_text("on:")  # the filter it does not know


async def test_a_unit_replies_with_a_photo_the_dispatcher_sees_without_its_gps_and_a_renamed_note_is_refused(
    console: Console,
) -> None:
    uploaded = await console.http.post(
        "/v1/attachments", params={"filename": "路口积水.jpg"}, content=photo(640, 480), headers=console.keys["intake"]
    )
    assert uploaded.status_code == 201, uploaded.text
    case_id = await console.submit("C-8", WAGES, attachments=[uploaded.json()["id"]])
    await console.until_status(case_id, "dispatched")  # to hrss_bureau, by the classifier
    unit = await console.sign_in("li")
    await console.open_case(unit, case_id)
    await console.act(unit, "签收", {}, "签收")

    reply = unit.get_by_role("form", name="办结回复")
    await reply.get_by_label("办理结果").fill("已督促企业足额支付拖欠工资")
    note = {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": "工资已发放，见工资表。\n".encode()}
    await reply.get_by_label("附件（可多选）").set_input_files([note])
    await reply.get_by_role("button", name="办结回复").click()
    await expect(unit.get_by_role("alert")).to_contain_text(
        "现场照片.jpg: the file is text/plain, which is not allowed"
    )
    await expect(unit.locator("h1")).to_contain_text("办理中")  # no reply without its files
    at_work = {"name": "发放现场.jpg", "mimeType": "image/jpeg", "buffer": photo(800, 600)}
    report = {"name": "工资发放表.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% wages paid\n"}
    await reply.get_by_label("办理结果").fill("已督促企业足额支付拖欠工资")
    await reply.get_by_label("附件（可多选）").set_input_files([at_work, report])
    await reply.get_by_role("button", name="办结回复").click()
    await expect(unit.locator("h1")).to_contain_text("已答复")

    dispatcher = await console.sign_in("wang")
    await console.open_case(dispatcher, case_id)
    files = dispatcher.locator("[data-slot=attachments] li")
    await expect(files).to_have_count(3)
    citizens, photo_at_work, table = files.nth(0), files.nth(1), files.nth(2)
    await expect(citizens).to_contain_text("诉求")
    await expect(photo_at_work).to_contain_text("答复")
    await expect(photo_at_work).to_contain_text("人社局李强")
    await expect(table).to_contain_text("application/pdf")
    await expect(table.get_by_role("link", name="工资发放表.pdf")).to_be_visible()
    thumbnail = photo_at_work.get_by_role("img", name="发放现场.jpg")
    await expect(thumbnail).to_be_visible()
    assert await thumbnail.evaluate("img => img.complete && img.naturalWidth") == 320  # the thumbnail, decoded
    href = await photo_at_work.get_by_role("link").first.get_attribute("href")
    full = await dispatcher.request.get(f"{console.url}{href}")
    assert full.status == 200
    with Image.open(io.BytesIO(await full.body())) as kept:
        assert kept.size == (800, 600) and GPS not in kept.getexif() and not kept.getexif()
    reads = (await console.http.get(f"/v1/cases/{case_id}/reads", headers=console.keys["auditor"])).json()["reads"]
    assert {r["what"].split()[0] for r in reads if r["role"] == "dispatcher"} >= {
        "attachments",
        "thumbnail",
        "attachment",
    }
    await shot(dispatcher, "case-page")
    await dispatcher.goto(f"{console.url}/console/cases/{case_id}?lang=en")
    await expect(dispatcher.locator("tr[data-kind=callbacks_planned]")).to_contain_text("Callbacks planned")
    await expect(dispatcher.locator("[data-slot=attachments] li").nth(1)).to_contain_text("Reply")
