"""The CRM's typed errors (stable codes, English msgids; zh-CN in locale/)."""

from qunshang.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class CustomerNotFound(NotFound):
    code = "crm_customer_not_found"
    message = "No such customer."


class NotASalesperson(PermissionDenied):
    code = "crm_not_salesperson"
    message = "Only active salespeople can do this."


class SalespersonNotFound(NotFound):
    code = "crm_salesperson_not_found"
    message = "No such salesperson."


class Protected(Conflict):
    code = "crm_protected"
    message = "This customer is owned and protected until {until}."


class AlreadyOwned(Conflict):
    code = "crm_already_owned"
    message = "This customer already has an owner."


class PoolClosed(PermissionDenied):
    code = "crm_pool_closed"
    message = "The shared pool is not open to salespeople."


class AtCapacity(Conflict):
    code = "crm_at_capacity"
    message = "This salesperson already owns as many customers as allowed."


class TeamNotFound(NotFound):
    code = "crm_team_not_found"
    message = "No such team."


class RuleNotFound(NotFound):
    code = "crm_rule_not_found"
    message = "No such rule."


class BadRange(InvalidInput):
    code = "crm_bad_range"
    message = "The date range is not valid: the start must not be after the end."


class NotClaimed(Conflict):
    code = "crm_not_claimed"
    message = "Claim the customer before following up."


class NaiveTime(InvalidInput):
    code = "crm_naive_time"
    message = "Give the next follow-up time with its timezone."
