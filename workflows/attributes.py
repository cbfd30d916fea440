"""The case search attributes operators filter on in the Temporal Web UI."""

from temporalio.common import SearchAttributeKey

CASE_STATUS = SearchAttributeKey.for_keyword("CaseStatus")
CASE_TIER = SearchAttributeKey.for_keyword("CaseTier")
CASE_UNIT = SearchAttributeKey.for_keyword("CaseUnit")
CASE_DOMAIN = SearchAttributeKey.for_keyword("CaseDomain")
CASE_CHANNEL = SearchAttributeKey.for_keyword("CaseChannel")
CASE_DEADLINE = SearchAttributeKey.for_datetime("CaseDeadline")
CASE_OVERDUE = SearchAttributeKey.for_bool("CaseOverdue")
CASE_WAITING_ON = SearchAttributeKey.for_keyword_list("CaseWaitingOn")
"""Units summoned by a whistle that have not responded yet."""

ALL_KEYS = (
    CASE_STATUS,
    CASE_TIER,
    CASE_UNIT,
    CASE_DOMAIN,
    CASE_CHANNEL,
    CASE_DEADLINE,
    CASE_OVERDUE,
    CASE_WAITING_ON,
)
