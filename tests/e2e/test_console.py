"""The console in a real browser (Debian's headless Chromium, driven by Playwright) on the whole
stack: a case from the dispatcher's queue to the callback, each step by a person of the right role;
another unit's case refused with a 403 page; lock-out and CSRF; a live update in a unit's inbox;
axe-core on each role's main page. ``MINSHENG_SCREENSHOTS=1`` also writes docs/console/*.png."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright, expect
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.context import AppContext
from domain.case import Role
from minsheng.settings import Settings
from minsheng.setup import migrate
from persistence.db import Database
from services import accounts
from tests.helpers import GAS, ROOT, UNCLEAR, WAGES, body, free_port, make_key, somewhere
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

    async def sign_in(self, login: str) -> Page:
        page = await (
            await self.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        ).new_page()
        await page.goto(f"{self.url}/console/login")
        await page.get_by_label("账号").fill(login)
        await page.get_by_label("密码").fill(PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await expect(page.locator("header .me")).to_contain_text(PEOPLE[login][0])
        return page


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
    await expect(dispatcher.locator("h1")).to_contain_text("dispatched")

    unit = await console.sign_in("li")
    new = unit.locator("tr", has=unit.get_by_role("link", name=case_id))
    await expect(new).to_contain_text("办理时限")
    await new.get_by_role("button", name="签收").click()
    await expect(unit.get_by_role("status").first).to_contain_text("操作已完成")
    await unit.goto(f"{console.url}/console/cases/{case_id}")
    reply = unit.get_by_role("form", name="办结回复")
    await reply.get_by_label("办理结果").fill("已督促企业足额支付拖欠工资")
    await reply.get_by_role("button", name="办结回复").click()
    await expect(unit.locator("h1")).to_contain_text("replied")

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
