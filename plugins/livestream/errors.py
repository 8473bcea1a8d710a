"""The livestream plugin's typed errors (stable codes, English msgids; zh-CN in locale/)."""

from qunshang.errors import Conflict, InvalidInput, InvalidState, PermissionDenied, QunshangError


class SessionStateError(InvalidState):
    code = "live_session_state"
    message = "This is not possible while the live session is {state}."

    def render(self, translate=lambda s: s) -> str:
        """The state is a msgid too (``scheduled``, ``live``, ``paused``, ``ended``)."""
        return translate(self.message).format(state=translate(str(self.params.get("state", ""))))


class ProductNotPublished(InvalidInput):
    code = "live_product_unpublished"
    message = "Only published products can be pushed to viewers."


class NotOnShelf(Conflict):
    code = "live_product_not_pushed"
    message = "Push the product to the session first."


class SaleClosed(Conflict):
    code = "live_sale_closed"
    message = "This live sale is not open."


class SoldOut(Conflict):
    code = "live_sale_sold_out"
    message = "The live sale is sold out."


class LimitReached(Conflict):
    code = "live_sale_limit"
    message = "You can buy at most {limit} in this live sale."


class SaleAlreadyOpen(Conflict):
    code = "live_sale_open"
    message = "This item already has an open live sale."


class NotEnoughStock(Conflict):
    code = "live_sale_stock"
    message = "The item has not enough stock to reserve {cap} units."


class LiveOrderOutsideRoom(InvalidInput):
    code = "live_order_outside_room"
    message = "Live-sale orders are placed from the live room."


class Muted(PermissionDenied):
    code = "live_muted"
    message = "You have been muted in this live room."


class TooFast(QunshangError):
    status_code = 429
    code = "live_comment_rate"
    message = "You are commenting too fast: wait a few seconds."

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__(seconds=retry_after)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class CommentInvalid(InvalidInput):
    code = "live_comment_invalid"
    message = "A comment is 1 to {limit} characters of text."


class LikesTooFast(TooFast):
    code = "live_like_rate"
    message = "Too many likes at once: wait a second."


class CouponGone(Conflict):
    code = "live_coupon_gone"
    message = "This coupon has all been claimed."


class CouponExpired(Conflict):
    code = "live_coupon_expired"
    message = "This coupon has expired."


class CouponNotClaimed(Conflict):
    code = "live_coupon_not_claimed"
    message = "Claim this coupon first."


class CouponUsed(Conflict):
    code = "live_coupon_used"
    message = "You have already used this coupon."


class CouponMinimum(Conflict):
    code = "live_coupon_minimum"
    message = "The order does not reach this coupon's minimum spend."


class CouponOutsideRoom(InvalidInput):
    code = "live_coupon_outside_room"
    message = "Live coupons are used on orders placed from the live room."


class TooManyStreams(QunshangError):
    status_code = 429
    code = "live_stream_limit"
    message = "Too many live streams are open from here: close one first."
