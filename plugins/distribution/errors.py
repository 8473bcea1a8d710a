"""The distribution plugin's typed errors (stable codes, English msgids; zh-CN in locale/)."""

from qunshang.errors import Conflict, InvalidInput, NotFound, PermissionDenied, QunshangError


class NotADistributor(PermissionDenied):
    code = "not_a_distributor"
    message = "You are not a distributor."


class AlreadyDistributor(Conflict):
    code = "already_distributor"
    message = "You are already a distributor."


class ApplicationOpen(Conflict):
    code = "application_open"
    message = "You already have an application waiting for review."


class DesignatedOnly(PermissionDenied):
    code = "designated_only"
    message = "Distributors are designated by the operators."


class SpendTooLow(Conflict):
    code = "spend_too_low"
    message = "You can become a distributor after spending {threshold} in total."


class UnknownCode(NotFound):
    code = "unknown_referral_code"
    message = "This referral code is not valid."


class SelfBinding(Conflict):
    code = "self_binding"
    message = "You cannot bind to yourself."


class CycleBinding(Conflict):
    code = "cycle_binding"
    message = "This upline is in the member's own team."


class UplineUnavailable(Conflict):
    code = "upline_unavailable"
    message = "This upline cannot take new members."


class AlreadyBound(Conflict):
    code = "already_bound"
    message = "You are already bound to an upline."


class NotNewMember(Conflict):
    code = "not_new_member"
    message = "Only new members can be bound."


class WithdrawalPending(Conflict):
    code = "withdrawal_pending"
    message = "You already have a withdrawal waiting for review."


class InsufficientBalance(Conflict):
    code = "insufficient_balance"
    message = "The amount is more than your available balance."


class WithdrawalOutOfRange(QunshangError):
    """Bad input with its own params (``InvalidInput`` formats only its ``detail``)."""

    status_code = 400
    code = "withdrawal_out_of_range"
    message = "A withdrawal must be between {min} and {max}."


class AlreadyReviewed(Conflict):
    code = "already_reviewed"
    message = "This request was already reviewed."


class BadAmount(InvalidInput):
    code = "bad_amount"
    message = "Enter an amount in yuan, like 12.50."
