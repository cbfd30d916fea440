"""Every workflow Minsheng runs: what a worker registers and a replay checks against."""

from workflows.archive import CaseArchiveWorkflow
from workflows.assessment import AssessMonthWorkflow, MonthlyAssessmentWorkflow
from workflows.case import CaseWorkflow
from workflows.events import DeliveryWorkflow
from workflows.follow_up import AccountabilityFollowUpWorkflow
from workflows.ranking import DailyRankingWorkflow

WORKFLOWS = [
    CaseWorkflow,
    DailyRankingWorkflow,
    MonthlyAssessmentWorkflow,
    AssessMonthWorkflow,
    AccountabilityFollowUpWorkflow,
    DeliveryWorkflow,
    CaseArchiveWorkflow,
]
