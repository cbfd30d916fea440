"""CaseWorkflow: one citizen case from receipt to closure.

receive → classify (local activity) → dispatch (automatic when confident, else a dispatcher's
update) → accept / return / reply (the unit's updates) → a callback visit to every citizen (an
activity per attempt hands it to the callback gateway; the answer comes back as an update, or from
the gateway at once) → reopened to the unit when a citizen is dissatisfied (重办), or closed.
Every step is written to the read model by one idempotent activity before the update that caused
it answers, so a caller that reads the case right after sees its own change.

No ``from __future__ import annotations`` here: the sandbox runs this module afresh for every case
it starts or replays, and string annotations made ``workflow.defn`` evaluate each one again (the
module's execution took 1.3-1.6 ms, now about 1.0 ms).
"""

import asyncio
import functools
import inspect
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.callbacks import BAD_NUMBER, CallbackActivities, PlanInput, VisitInput
    from activities.case import (
        CallbackTasks,
        CaseActivities,
        CaseEvents,
        CentreDeadlineInput,
        CitizenClockInput,
        ClassifyInput,
        DeadlineInput,
        ResponseDeadlineInput,
    )
    from activities.corrections import CorrectionActivities, MergeCaseInput, SplitRequestInput
    from domain.case import (
        ACTIONS,
        QUEUED,
        SYSTEM,
        ActionRefused,
        CallbackAnswer,
        CaseInput,
        CaseState,
        CaseStatus,
        DispatchInput,
        JoinInput,
        MergeInput,
        RespondInput,
        SlipTrigger,
        SplitInput,
        TimelineEvent,
        VisitAnswer,
        WhistleInput,
    )
    from domain.classification import Classification
    from domain.deadlines import CitizenClock, Deadlines
    from gateways.cases import CASE_WORKFLOW, RECALCULATE_DEADLINES, STATUS, TAKE_REQUEST
    from minsheng.temporal import (
        CASE_CITIZEN_DEADLINE,
        CASE_DEADLINE,
        CASE_DOMAIN,
        CASE_KIND,
        CASE_OVERDUE,
        CASE_STATUS,
        CASE_TIER,
        CASE_UNIT,
        CASE_WAITING_ON,
    )

DEADLINES_PATCH = "deadlines-and-slips"
"""Cases started before colour-tier deadlines existed replay without them."""
DEADLINES_AT_DISPATCH_PATCH = "deadlines-at-dispatch"
"""Deadlines of an automatic dispatch go into the case's first write, one activity fewer per case
(measured in bench/intake.py); cases started before replay the way they ran."""
CALLBACK_VISITS_PATCH = "callback-visits"
"""Callback visits became activities through a gateway, with retries and reopening; cases started
before replay with the agents' tasks opened in one activity."""
CONTINUE_AS_NEW_PATCH = "continue-as-new"
"""A long case continues as a new run; histories from before replay without it."""
RETURN_APPROVAL_PATCH = "return-approval"
"""A unit's return waits for a dispatcher's decision; cases started before return at once."""
CITIZEN_CLOCK_PATCH = "citizen-clock"
"""The citizen's clock and the centre's dispatch limit, with their slips; cases started before
replay without them."""
ANONYMOUS_PATCH = "anonymous-requests"
"""A case whose requests are all anonymous (no name, no phone) closes on its reply, with no visits."""
DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
GATEWAY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10), backoff_coefficient=2, maximum_interval=timedelta(minutes=10)
)
"""A callback gateway that fails or times out is tried again without end, backing off to every ten
minutes: an outage delays visits and loses none. A number that cannot be dialled is not retried."""


def _refuse[T](check: Callable[[T], None], inp: T) -> None:
    """Run a domain check in a validator; a refusal becomes a typed, non-retryable failure."""
    try:
        check(inp)
    except ActionRefused as refused:
        raise ApplicationError(refused.message, type=refused.kind, non_retryable=True) from None


def _case_action(name: str) -> Any:
    """The update for one action of ``ACTIONS``: its validator runs the action's check (so a
    refused action never enters the history), its handler the transition and the record."""
    action = ACTIONS[name]

    async def handler(self: "CaseWorkflow", inp: Any) -> CaseState:
        await self._record(action.apply(self.state, workflow.now(), inp))
        return self.state

    def validator(self: "CaseWorkflow", inp: Any) -> None:
        _refuse(functools.partial(action.check, self.state), inp)

    # The SDK reads the input's type from the annotations to decode the payload.
    handler.__annotations__ = {"inp": action.input, "return": CaseState}
    validator.__annotations__ = {"inp": action.input, "return": None}
    doc = action.input.__doc__
    update = workflow.update(name=name, description=inspect.cleandoc(doc) if doc else None)(handler)
    update.validator(validator)
    return update


@workflow.defn(name=CASE_WORKFLOW)
class CaseWorkflow:
    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        # Built from the input before any update is delivered, so validators always see a state.
        self._input = inp
        self._recalculate = False
        self.state = (
            inp.carried.model_copy(deep=True)
            if inp.carried
            else CaseState(
                case_id=inp.case_id,
                channel=inp.request.channel,
                received_at=inp.request.received_at,
                requests=[inp.request.request_id],
                kind=inp.request.kind,
                for_information=inp.for_information,
            )
        )

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseState:
        if inp.carried is None and workflow.patched(RETURN_APPROVAL_PATCH):
            self.state.return_approval = True
        deadlines_at_dispatch = workflow.patched(DEADLINES_AT_DISPATCH_PATCH)
        callback_visits = workflow.patched(CALLBACK_VISITS_PATCH)
        if inp.carried is None:
            await self._take_in(inp, deadlines_at_dispatch)
        if self.state.status is not CaseStatus.closed:  # else: carried over in the late-joiner time
            if self.state.for_information:
                # A suggestion or praise: with its unit once dispatched; no deadline, no visit.
                await workflow.wait_condition(lambda: self.state.status not in QUEUED)
            elif callback_visits:
                while True:
                    await self._supervise()
                    if self.state.status is CaseStatus.merged:
                        break
                    if not self.state.visitable and workflow.patched(ANONYMOUS_PATCH):
                        await self._record(self.state.no_callbacks(workflow.now()))
                        break
                    await self._visit_citizens()
                    if not self.state.reopen_due:
                        break
                    await self._record(self.state.reopen(workflow.now()))
            else:
                if deadlines_at_dispatch or workflow.patched(DEADLINES_PATCH):
                    await self._supervise()
                else:
                    await workflow.wait_condition(lambda: self.state.status is CaseStatus.replied)
                await workflow.execute_activity_method(
                    CaseActivities.open_callback_tasks,
                    CallbackTasks(case_id=inp.case_id, unit=self.state.unit, request_ids=self.state.requests),
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=DB_RETRY,
                )
                await workflow.wait_condition(lambda: self.state.callbacks_done)
            await workflow.wait_condition(workflow.all_handlers_finished)
            if self.state.status is CaseStatus.merged:  # a merged case lives on in the other case
                return self.state
            closed = self.state.close(workflow.now())
            if inp.joins_after_close_days:  # from the close on, so no join falls in between
                self.state.joins_until = workflow.now() + timedelta(days=inp.joins_after_close_days)
            await self._record(closed)
        if self.state.joins_until:
            await self._take_late_joiners()
        # A request refused meanwhile is given its own case by its handler: let it finish.
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    async def _take_in(self, inp: CaseInput, deadlines_at_dispatch: bool) -> None:
        """Classify the request, and dispatch it when the classifier is sure."""
        request = inp.request
        received = self.state.receive(request)
        result: Classification = await workflow.execute_local_activity_method(
            CaseActivities.classify_request,
            ClassifyInput(
                content=request.content,
                address=request.address,
                grid=request.grid,
                category_hint=request.category_hint,
                threshold=inp.classify_threshold,
            ),
            start_to_close_timeout=timedelta(seconds=10),
        )
        events = [received, self.state.classified(workflow.now(), result)]
        if inp.answer is not None and self.state.status is CaseStatus.received:
            events.append(self.state.answer(workflow.now(), inp.answer))
        # A dispatcher may have dispatched by hand while the classifier ran: theirs stands.
        if result.confident and self.state.status is CaseStatus.received:
            assert result.unit and result.domain and result.matter_type and result.tier
            events.append(
                self.state.dispatch(
                    workflow.now(),
                    DispatchInput(
                        actor=SYSTEM,
                        unit=result.unit,
                        domain=result.domain,
                        matter_type=result.matter_type,
                        tier=result.tier,
                    ),
                )
            )
            if deadlines_at_dispatch and not self.state.for_information:
                events.append(self.state.set_deadlines(workflow.now(), await self._compute_deadlines()))
        if not self.state.for_information and workflow.patched(CITIZEN_CLOCK_PATCH):  # in the first write
            events.append(self.state.set_citizen_clock(workflow.now(), await self._compute_citizen_clock()))
        await self._record(*events)

    async def _take_late_joiners(self) -> None:
        """After the close, take repeat submissions of the matter for a while: each joining
        citizen is visited with the case's reply. The input decides whether this runs, so cases
        started without it replay unchanged."""
        state = self.state
        assert state.joins_until
        visiting: list[asyncio.Task[None]] = []
        while (left := state.joins_until - workflow.now()) > timedelta(0):
            if all(task.done() for task in visiting):
                await self._continue_if_long()
            try:
                await workflow.wait_condition(lambda: bool(state.late_joiners), timeout=left)
            except TimeoutError:
                break
            visiting += await self._visit_late_joiners()
        state.joins_until = None
        if state.late_joiners:  # joined as the time ran out
            visiting += await self._visit_late_joiners()
        await asyncio.gather(*visiting)

    async def _visit_late_joiners(self) -> list[asyncio.Task[None]]:
        plan = await workflow.execute_local_activity_method(
            CallbackActivities.plan_callbacks,
            PlanInput(replied_at=workflow.now()),
            start_to_close_timeout=timedelta(seconds=10),
        )
        joiners = list(self.state.late_joiners)
        await self._record(self.state.plan_late_visits(workflow.now(), plan))
        return [asyncio.create_task(self._visit(request_id)) for request_id in joiners]

    async def _continue_if_long(self) -> None:
        """A case that lives long (joins by the hundred in a water cut, slips, whistles) goes on as
        a new run carrying its state, so its history stays bounded. Called only where the case
        rests: no visit in flight; handlers are let finish first."""
        info = workflow.info()
        limit = self._input.history_limit
        long = info.get_current_history_length() >= limit if limit else info.is_continue_as_new_suggested()
        if long and workflow.patched(CONTINUE_AS_NEW_PATCH):
            await workflow.wait_condition(workflow.all_handlers_finished)
            if not self._recalculate:  # else recalculate first; the next rest continues
                workflow.continue_as_new(self._input.model_copy(update={"carried": self.state}))

    async def _visit_citizens(self) -> None:
        """One round of callback visits: every citizen side by side, including one whose request
        joins while the round runs; done when every citizen's answer is settled."""
        state = self.state
        assert state.replied_at
        plan = await workflow.execute_local_activity_method(
            CallbackActivities.plan_callbacks,
            PlanInput(replied_at=state.replied_at, first_contact=state.first_contact),
            start_to_close_timeout=timedelta(seconds=10),
        )
        if not plan.attempt_due:  # the city visits no one the centre answered at first contact
            return
        await self._record(state.plan_callbacks(workflow.now(), plan))
        visiting: dict[str, asyncio.Task[None]] = {}
        while True:
            for request_id in state.callbacks:
                if request_id not in visiting:
                    visiting[request_id] = asyncio.create_task(self._visit(request_id))
            await workflow.wait_condition(
                lambda: state.callbacks_done or any(r not in visiting for r in state.callbacks)
            )
            if state.callbacks_done:
                break
        await asyncio.gather(*visiting.values())

    async def _visit(self, request_id: str) -> None:
        """Attempts at their due times until the citizen's answer is settled."""
        state = self.state
        assert state.callback_plan
        for attempt, due_at in enumerate(state.callback_plan.attempt_due, 1):
            if due_at > workflow.now():
                await workflow.sleep(due_at - workflow.now())
            # Open before the hand-over, so an agent who answers at once is not refused.
            state.hand_over(request_id, attempt)
            try:
                answer = await workflow.execute_activity_method(
                    CallbackActivities.visit_citizen,
                    VisitInput(
                        case_id=state.case_id,
                        request_id=request_id,
                        unit=state.unit,
                        round=state.callback_round,
                        attempt=attempt,
                        due_at=due_at,
                    ),
                    start_to_close_timeout=timedelta(minutes=5),
                    heartbeat_timeout=timedelta(seconds=30),
                    retry_policy=GATEWAY_RETRY,
                )
            except ActivityError as failure:
                cause = failure.cause
                if not (isinstance(cause, ApplicationError) and cause.type == BAD_NUMBER):
                    raise
                await self._record(
                    state.record_answer(
                        workflow.now(), SYSTEM, request_id, CallbackAnswer.unreachable, cause.message, final=True
                    )
                )
                return
            if answer is not None and state.visits[request_id].awaiting:
                said = answer if isinstance(answer, VisitAnswer) else VisitAnswer(answer=answer)
                await self._record(
                    state.record_answer(workflow.now(), SYSTEM, request_id, said.answer, resolution=said.resolution)
                )
            await workflow.wait_condition(lambda: not state.visits[request_id].awaiting)
            if state.callbacks[request_id] is not None:
                return

    async def _supervise(self) -> None:
        """Hold the case to its deadlines until the reply: compute them for each dispatch round (and
        again after a tier change or an approved extension), then sleep until the next trigger or
        until the case changes, whichever comes first. A trigger reached issues its slip once."""
        while self.state.status not in (CaseStatus.replied, CaseStatus.merged):
            state = self.state
            if state.citizen_clock is not None and state.citizen_clock_stale():
                clock = await self._compute_citizen_clock()
                if clock.asked == state.clock_tier and clock.queued_at == state.queue_entered_at:
                    await self._record(state.set_citizen_clock(workflow.now(), clock))
                continue
            request = state.return_request
            if request and state.return_pending and request.decide_by is None and state.tier:
                decide_by = await workflow.execute_local_activity_method(
                    CaseActivities.compute_centre_deadline,
                    CentreDeadlineInput(tier=state.tier, start=request.requested_at),
                    start_to_close_timeout=timedelta(seconds=10),
                )
                if decide_by and state.return_request is request:  # unless decided meanwhile
                    await self._record(state.set_return_decide_by(workflow.now(), decide_by))
                    continue
            if state.status in (CaseStatus.dispatched, CaseStatus.accepted) and state.deadlines is None:
                deadlines = await self._compute_deadlines()
                if state.deadlines is None:  # unless the case changed meanwhile: then compute again
                    await self._record(state.set_deadlines(workflow.now(), deadlines))
                continue
            summoned = [x for x in state.summonses.values() if x.status == "summoned" and x.respond_by is None]
            if summoned and state.status in (CaseStatus.dispatched, CaseStatus.accepted):
                assert state.tier
                respond_by = await workflow.execute_local_activity_method(
                    CaseActivities.compute_response_deadline,
                    ResponseDeadlineInput(tier=state.tier, start=summoned[0].whistled_at),
                    start_to_close_timeout=timedelta(seconds=10),
                )
                await self._record(state.set_respond_by(workflow.now(), summoned[0].id, respond_by))
                continue
            if self._recalculate:
                # The calendar has the year a provisional deadline guessed at: compute it again.
                self._recalculate = False
                if state.deadlines is not None and state.deadlines.provisional:
                    state.deadlines = None
                    continue
            await self._continue_if_long()
            due = [state.next_trigger(), state.next_response_due(), state.next_clock_trigger()]
            pending: tuple[SlipTrigger | str, datetime] | None = min(
                (d for d in due if d is not None), key=lambda d: d[1], default=None
            )
            changed = functools.partial(self._changed_since, state.seq)
            if pending is None:
                await workflow.wait_condition(changed)
                continue
            trigger, when = pending
            try:
                await workflow.wait_condition(changed, timeout=max(when - workflow.now(), timedelta(0)))
            except TimeoutError:
                if trigger in (SlipTrigger.dispatch, SlipTrigger.citizen_deadline, SlipTrigger.return_decision):
                    await self._record(state.clock_slip(workflow.now(), SlipTrigger(trigger)))
                elif isinstance(trigger, SlipTrigger):
                    await self._record(state.slip(workflow.now(), trigger))
                else:
                    await self._record(state.response_slip(workflow.now(), trigger))

    def _changed_since(self, seq: int) -> bool:
        return self.state.seq != seq or self.state.status is CaseStatus.replied or self._recalculate

    async def _compute_citizen_clock(self) -> CitizenClock:
        """For the tier the case has (or was proposed), from receipt; the centre's limit from when
        it entered the dispatch queue."""
        state = self.state
        return await workflow.execute_local_activity_method(
            CaseActivities.compute_citizen_clock,
            CitizenClockInput(tier=state.clock_tier, received_at=state.received_at, queued_at=state.queue_entered_at),
            start_to_close_timeout=timedelta(seconds=10),
        )

    async def _compute_deadlines(self) -> Deadlines:
        state = self.state
        assert state.tier and state.dispatched_at
        return await workflow.execute_local_activity_method(
            CaseActivities.compute_deadlines,
            DeadlineInput(tier=state.tier, start=state.dispatched_at, due_at=state.extended_until),
            start_to_close_timeout=timedelta(seconds=10),
        )

    async def _record(self, *events: TimelineEvent) -> None:
        """Write events and the state after them to the read model; keep search attributes current."""
        state = self.state
        updates: list[SearchAttributeUpdate[Any]] = [CASE_STATUS.value_set(state.status.value)]
        for key, value in ((CASE_TIER, state.tier), (CASE_UNIT, state.unit), (CASE_DOMAIN, state.domain)):
            updates.append(key.value_set(value) if value else key.value_unset())
        if state.deadlines:
            updates += [CASE_DEADLINE.value_set(state.deadlines.due_at), CASE_OVERDUE.value_set(state.overdue)]
        if state.kind:  # only on cases taken in with a kind, so earlier ones replay as they ran
            updates.append(CASE_KIND.value_set(state.kind.value))
        if state.citizen_clock:  # only on cases started with the clock, so earlier ones replay as they ran
            updates.append(CASE_CITIZEN_DEADLINE.value_set(state.citizen_clock.due_at))
        if state.summonses:  # only once a whistle was blown, so that earlier cases replay as they ran
            updates.append(CASE_WAITING_ON.value_set(state.waiting_on))
        workflow.upsert_search_attributes(updates)
        workflow.upsert_memo({"summary": self._summary()})
        # Concurrent writes are safe: events are keyed by seq and the case row only moves forward.
        await workflow.execute_activity_method(
            CaseActivities.record_case_events,
            CaseEvents(state=state.model_copy(deep=True), events=list(events)),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DB_RETRY,
        )

    def _summary(self) -> str:
        """What an operator sees in the UI's memo: no names, phones, addresses or content."""
        s = self.state
        return " · ".join(part for part in (s.status.value, s.tier, s.matter_type, s.unit) if part)

    @workflow.query(name=STATUS)
    def status(self) -> CaseState:
        return self.state

    @workflow.signal(name=RECALCULATE_DEADLINES)
    def recalculate_deadlines(self) -> None:
        """Sent when the calendar gains the year a provisional deadline counted on weekdays alone."""
        self._recalculate = True

    # The actions a caller takes and the case answers at once: one update each, from the table.
    dispatch = _case_action("dispatch")
    accept = _case_action("accept")
    return_ = _case_action("return")
    decide_return = _case_action("decide_return")
    reply = _case_action("reply")
    change_tier = _case_action("change_tier")
    request_extension = _case_action("request_extension")
    decide_extension = _case_action("decide_extension")
    rule_decline = _case_action("rule_decline")
    rate = _case_action("rate")
    callback = _case_action("callback")
    answer = _case_action("answer")
    join = _case_action("join")

    @workflow.signal
    async def whistle(self, inp: WhistleInput) -> None:
        """The lead unit summons other units (吹哨). A signal, so a refusal cannot be answered:
        the API checks the live state first, and a whistle refused here is recorded with why."""
        try:
            events = self.state.whistle(workflow.now(), inp)
        except ActionRefused as refused:
            events = [self.state.refused(workflow.now(), "whistle", inp.actor, refused.message)]
        await self._record(*events)

    @workflow.signal
    async def respond(self, inp: RespondInput) -> None:
        """A summoned unit reports for duty (报到), or declines with a reason."""
        try:
            event = self.state.respond(workflow.now(), inp)
        except ActionRefused as refused:
            event = self.state.refused(workflow.now(), "respond", inp.actor, refused.message)
        await self._record(event)

    @workflow.signal(name=TAKE_REQUEST)
    async def take_request(self, inp: JoinInput) -> None:
        """Intake's merge (一事多投), as a signal so that intake answers without waiting for a
        worker. A request the case can no longer take (it closed or was merged meanwhile) opens a
        case of its own, from an activity retried until it stands: the request is never lost."""
        request_id = inp.request.request_id
        if request_id in self.state.requests:
            return  # a retried intake
        try:
            event = self.state.join(workflow.now(), inp)
        except ActionRefused as refused:
            # The request's id gives its case's: a repeated signal finds the same case.
            new_case_id = request_id.removeprefix("R")
            split = SplitInput(actor=SYSTEM, request_id=request_id, new_case_id=new_case_id, reason=refused.message)
            await workflow.execute_activity_method(
                CorrectionActivities.split_request,
                SplitRequestInput(case_id=self.state.case_id, split=split),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=DB_RETRY,
            )
            return
        await self._record(event)

    @workflow.update
    async def split(self, inp: SplitInput) -> CaseState:
        """Take a wrongly merged request out: it becomes a case of its own (started by the
        activity, retried until it stands, so the request is never left without a case)."""
        event = self.state.split(workflow.now(), inp)
        await workflow.execute_activity_method(
            CorrectionActivities.split_request,
            SplitRequestInput(case_id=self.state.case_id, split=inp),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=DB_RETRY,
        )
        await self._record(event)
        return self.state

    @split.validator
    def _validate_split(self, inp: SplitInput) -> None:
        _refuse(self.state.check_split, inp)

    @workflow.update
    async def merge_into(self, inp: MergeInput) -> CaseState:
        """Merge this case into another of the same matter: its requests join that case one by
        one; if that case refuses one (it closed meanwhile), those moved stay moved and the rest
        stay here, and the dispatcher hears which."""
        state = self.state
        state.merging_into = inp.into_case_id
        moved: list[TimelineEvent] = []
        try:
            for request_id in list(state.requests):
                await workflow.execute_activity_method(
                    CorrectionActivities.merge_case,
                    MergeCaseInput(case_id=state.case_id, merge=inp, request_id=request_id),
                    start_to_close_timeout=timedelta(seconds=60),
                    retry_policy=DB_RETRY,
                )
                moved.append(state.move_out(workflow.now(), request_id, inp))
        except ActivityError as failure:
            state.merging_into = None
            if moved:
                await self._record(*moved)
            cause = failure.cause
            if isinstance(cause, ApplicationError) and cause.type == "conflict":
                gone = f"; {len(moved)} of its requests had moved there already" if moved else ""
                raise ApplicationError(f"{cause.message}{gone}", type="conflict", non_retryable=True) from None
            raise
        await self._record(*moved, state.merge_into(workflow.now(), inp))
        return self.state

    @merge_into.validator
    def _validate_merge_into(self, inp: MergeInput) -> None:
        _refuse(self.state.check_merge, inp)
