"""The console's words in Chinese (the default) and English: one catalogue, a key per phrase.
The language comes from ``?lang=`` (remembered in a cookie) or that cookie."""

from __future__ import annotations

from collections.abc import Callable

from domain.timeline import KIND_NAMES, STATUS_NAMES, SUMMONS_STATUS_NAMES

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
COOKIE = "minsheng_lang"

CATALOGUE: dict[str, tuple[str, str]] = {
    "app": ("民生诉求处置平台", "Minsheng case console"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "login": ("账号", "Login"),
    "password": ("密码", "Password"),
    "sign_in_failed": (
        "账号或密码错误，或账号已锁定。连续失败多次后账号将锁定一段时间。",
        "Wrong login or password, or the account is locked. Repeated failures lock it for a while.",
    ),
    "csrf_refused": (
        "表单已过期或来源不明，请刷新页面后重试。",
        "The form expired or came from elsewhere; reload and try again.",
    ),
    "session_over": ("登录已超时，请重新登录。", "Your session ended; please sign in again."),
    # roles
    "role_dispatcher": ("派单员", "Dispatcher"),
    "role_unit": ("承办单位", "Unit staff"),
    "role_callback_agent": ("回访员", "Callback agent"),
    "role_leader": ("中心领导", "Leader"),
    "role_auditor": ("审计员", "Auditor"),
    "role_admin": ("系统管理员", "Administrator"),
    "role_intake": ("受理员", "Intake"),
    "role_system": ("系统", "System"),
    # navigation
    "nav_queue": ("待派单", "Dispatch queue"),
    "nav_inbox": ("待办", "Inbox"),
    "nav_callbacks": ("待回访", "Callbacks"),
    "nav_overview": ("今日概况", "Today"),
    "nav_ranking": ("每日排名", "Daily ranking"),
    "nav_assessment": ("月度考核", "Monthly assessment"),
    "nav_analysis": ("分析图表", "Analysis"),
    "nav_audit": ("案件审计", "Audit"),
    "nav_users": ("用户管理", "Users"),
    "nav_cases": ("案件列表", "Cases"),
    # common words
    "case": ("案件", "Case"),
    "cases": ("案件", "cases"),
    "status": ("状态", "Status"),
    "channel": ("渠道", "Channel"),
    "received_at": ("受理时间", "Received"),
    "content": ("诉求内容", "Request"),
    "address": ("地址", "Address"),
    "town": ("镇街", "Town"),
    "unit": ("承办单位", "Unit"),
    "matter_type": ("事项类型", "Matter type"),
    "tier": ("等级", "Tier"),
    "note": ("备注", "Note"),
    "reason": ("理由", "Reason"),
    "submit": ("提交", "Submit"),
    "none": ("暂无", "None"),
    "total": ("共", "Total"),
    "open": ("打开", "Open"),
    "time_left": ("剩余时限", "Time left"),
    "citizen_clock": ("群众时限", "Citizen's deadline"),
    "dispatch_clock": ("派单时限", "Dispatch limit"),
    "unit_clock": ("办理时限", "Handling deadline"),
    "overdue_by": ("已超时", "overdue by"),
    "left": ("剩余", "left"),
    "days": ("天", "d"),
    "hours": ("小时", "h"),
    "minutes": ("分钟", "min"),
    "proposals": ("智能分拨建议", "Classifier's proposals"),
    "deciding_words": ("关键词", "Deciding words"),
    "dispatch_this": ("按此派单", "Dispatch so"),
    "returned_by": ("退回单位", "Returned by"),
    "queue_empty": ("没有待派单的案件。", "No case waits for dispatch."),
    "queue_intro": ("按紧急程度排序：群众时限最近的在前。", "Most urgent first: the nearest citizen's deadline."),
    "done": ("操作已完成。", "Done."),
    "sent": ("已发送，稍后记入时间线。", "Sent; it enters the timeline in a moment."),
    "refused": ("未能完成", "Not done"),
    # case page
    "timeline": ("处理时间线", "Timeline"),
    "requests": ("诉求", "Requests"),
    "citizen": ("诉求人", "Citizen"),
    "anonymous": ("匿名", "Anonymous"),
    "map_position": ("地图位置", "Map position"),
    "attachments": ("附件", "Attachments"),
    "files": ("附件（可多选）", "Files (any number)"),
    "visibility": ("附件可见范围", "Files seen by"),
    "visibility_case": ("案件各经办方", "everyone on the case"),
    "visibility_centre": ("仅中心和本单位", "the centre and my unit only"),
    "attached_request": ("诉求", "Request"),
    "attached_reply": ("答复", "Reply"),
    "attached_response": ("报到", "Response"),
    "attached_none": ("尚未提交", "Not yet sent"),
    "uploaded_by": ("上传", "Uploaded by"),
    "file_erased": ("已按保存期限删除", "erased after its retention period"),
    "who": ("操作人", "Who"),
    "when": ("时间", "When"),
    "what": ("事件", "What"),
    "details": ("详情", "Details"),
    "summonses": ("吹哨报到", "Summonses"),
    "callbacks": ("回访", "Callbacks"),
    "actions": ("操作", "Actions"),
    "act_dispatch": ("派单", "Dispatch"),
    "act_accept": ("签收", "Accept"),
    "act_return": ("申请退回", "Ask to return"),
    "act_decide_return": ("退回审核", "Decide the return"),
    "act_reply": ("办结回复", "Reply"),
    "act_change_tier": ("调整等级", "Change tier"),
    "act_request_extension": ("申请延期", "Ask for an extension"),
    "act_decide_extension": ("延期审核", "Decide the extension"),
    "act_rule_decline": ("拒绝报到裁定", "Rule on a decline"),
    "act_whistle": ("吹哨", "Whistle"),
    "act_respond": ("报到", "Respond"),
    "act_split": ("拆分诉求", "Split a request out"),
    "act_merge": ("合并案件", "Merge into a case"),
    "act_answer_case": ("直接答复", "Answer directly"),
    "act_rate": ("评价报到单位", "Rate a responding unit"),
    "approve": ("同意", "Approve"),
    "refuse": ("不同意", "Refuse"),
    "uphold": ("同意拒绝（解除）", "Uphold (release)"),
    "overrule": ("驳回（须报到）", "Overrule (must respond)"),
    "result": ("办理结果", "Result"),
    "until": ("延期至", "Until"),
    "task": ("任务", "Task"),
    "report": ("报到情况", "Report"),
    "decline_reason": ("拒绝理由", "Decline reason"),
    "summons_id": ("报到编号", "Summons"),
    "request_id": ("诉求编号", "Request"),
    "into": ("并入案件编号", "Into case"),
    "waiting_return": ("单位申请退回，待审核", "A unit asks to return the case"),
    "waiting_extension": ("单位申请延期，待审核", "A unit asks for an extension"),
    "read_only": ("只读", "Read-only"),
    # unit inbox
    "inbox_new": ("新派单（待签收）", "New (to accept)"),
    "inbox_soon": ("即将到期", "Due soon"),
    "inbox_overdue": ("已超期", "Overdue"),
    "inbox_open": ("办理中", "In hand"),
    "inbox_summoned": ("被吹哨（待报到）", "Summoned (to respond)"),
    "live": ("实时更新", "Live"),
    "live_new": ("有新动态，待办已刷新", "Something new: the inbox was refreshed"),
    "lead_unit": ("牵头单位", "Lead unit"),
    # callbacks
    "callback_queue": ("待回访", "Visits due"),
    "call": ("拨打", "Call"),
    "due": ("应回访时间", "Due"),
    "attempt": ("第几次", "Attempt"),
    "answer": ("满意度", "Satisfaction"),
    "resolution": ("解决情况", "Solved?"),
    "record_answers": ("记录回访结果", "Record the answers"),
    "ans_satisfied": ("满意", "Satisfied"),
    "ans_basically_satisfied": ("基本满意", "Basically satisfied"),
    "ans_dissatisfied": ("不满意", "Dissatisfied"),
    "ans_unreachable": ("联系不上", "Unreachable"),
    "res_solved": ("已解决", "Solved"),
    "res_partly_solved": ("部分解决", "Partly solved"),
    "res_not_solved": ("未解决", "Not solved"),
    "no_callbacks": ("没有待回访的任务。", "No visit is due."),
    # leaders
    "today": ("今日", "Today"),
    "received_today": ("今日受理", "Received today"),
    "open_cases": ("在办案件", "Open cases"),
    "overdue_unit": ("办理超期", "Overdue (handling)"),
    "overdue_citizen": ("群众时限超期", "Overdue (citizen's clock)"),
    "overdue_dispatch": ("派单超时", "Overdue (dispatch)"),
    "queued": ("待派单", "In the dispatch queue"),
    "slips": ("督办单", "Slips"),
    "slip_reminder": ("提示单", "Reminders"),
    "slip_supervision": ("督办单", "Supervision"),
    "slip_warning": ("警示单", "Warnings"),
    "rates": ("考核指标", "Rates"),
    "month_to_date": ("本月累计", "Month to date"),
    "overview_intro": (
        "大字为今日数字，其下为本月截至今日；点击任一数字可查看其所统计的案件。",
        "The large figure is today's, the one under it the month to date; each opens the cases it counts.",
    ),
    "rate_response_rate": ("响应率", "Response"),
    "rate_resolution_rate": ("解决率", "Resolution"),
    "rate_satisfaction_rate": ("满意率", "Satisfaction"),
    "rate_closure_rate": ("办结率", "Closure"),
    "rate_on_time_rate": ("按时办结率", "On time"),
    "rate_citizen_on_time_rate": ("群众时限按时率", "On time (citizen)"),
    "rate_first_contact_rate": ("一次办结率", "First contact"),
    "targets": ("目标预警", "Targets below"),
    "no_breaches": ("所有指标均达标。", "Every target is met."),
    "ranking": ("每日排名", "Daily ranking"),
    "rank": ("名次", "Rank"),
    "score": ("得分", "Score"),
    "not_yet": ("尚未生成。", "Not computed yet."),
    "assessment": ("月度考核", "Monthly assessment"),
    "accountability": ("问责措施", "Accountability"),
    "notice": ("通知书", "Notice"),
    "month": ("月份", "Month"),
    "analysis": ("分析图表", "Analysis charts"),
    # auditor
    "find_case": ("查找案件", "Find a case"),
    "case_id": ("案件编号", "Case id"),
    "case_file": ("卷宗", "Case file"),
    "verify": ("核验", "Verification"),
    "verify_ok": ("核验通过：时间线哈希链、锚点与工作流历史一致。", "Verified: hash chain, anchors and history agree."),
    "verify_failed": ("核验失败", "Verification failed"),
    "no_case": ("没有这个案件。", "No such case."),
    # admin
    "users": ("用户", "Users"),
    "name": ("姓名", "Name"),
    "role": ("角色", "Role"),
    "state": ("状态", "State"),
    "active": ("正常", "Active"),
    "disabled": ("已停用", "Disabled"),
    "locked": ("已锁定", "Locked"),
    "disable": ("停用", "Disable"),
    "enable": ("启用", "Enable"),
    "add_user": ("新增用户", "Add a user"),
    "user_added": ("用户已新增。", "User added."),
    # errors
    "error_403": ("无权访问", "Not allowed"),
    "error_403_text": ("您的角色或单位无权查看此页面。", "Your role or unit may not see this page."),
    "error_404": ("未找到", "Not found"),
    "error_other": ("出错了", "Something went wrong"),
    "back_home": ("返回首页", "Back to my page"),
}


def translator(lang: str) -> Callable[[str], str]:
    index = LANGUAGES.index(lang) if lang in LANGUAGES else 0

    def t(key: str) -> str:
        words = CATALOGUE.get(key)
        return words[index] if words else key

    return t


def kind_name(kind: str, lang: str) -> str:
    """A timeline event's kind as the page names it."""
    return KIND_NAMES.get(kind, kind) if lang == "zh" else kind.replace("_", " ").capitalize()


STATUSES = STATUS_NAMES | SUMMONS_STATUS_NAMES
"""A case's and a summons's statuses (no name is both)."""


def status_name(status: str, lang: str) -> str:
    return STATUSES.get(status, status) if lang == "zh" else status.replace("_", " ")
