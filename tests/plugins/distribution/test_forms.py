"""The centre's forms: become or apply by mode, withdraw; errors inline in the member's
language, what was typed kept, nothing written on a refused form."""

from qunshang.ledger import service as ledger
from qunshang.plugins.distribution.models import Application, Distributor, Withdrawal
from qunshang.plugins.distribution.service import distributors

from .site import log_in, post_form, register, world
from .support import close, settings

EN, ZH = {"Accept-Language": "en"}, {"Accept-Language": "zh-CN"}


async def test_application_mode_apply_and_see_the_status(make_app):
    async with make_app(enabled=["distribution"], settings=settings(mode="application")) as client:
        member = await register(client.runtime, "13900000009", "小李")
        await log_in(client, "13900000009")
        page = (await client.get("/distribution", headers=EN)).text
        assert "Apply to become a distributor" in page
        r = await post_form(client, "/distribution/become")
        assert r.status_code == 303 and r.headers["location"] == "/distribution?done=1"
        page = (await client.get("/distribution", headers=EN)).text
        assert "Your application is waiting for review" in page and "Apply to become" not in page
        again = await post_form(client, "/distribution/become", headers=ZH)
        assert again.status_code == 409 and "您已有一份申请正在审核中。" in again.text
        application = await Application.get(member_id=member.id)
        await distributors.review(client.runtime, application.id, approve=False, reviewer_id=member.id, reason="资料不全")
        page = (await client.get("/distribution", headers=EN)).text
        assert "Your application was not approved." in page and "Reason: 资料不全" in page
        assert "Apply to become a distributor" in page  # may apply again


async def test_spend_threshold_and_designated_modes_explain_inline(make_app):
    async with make_app(enabled=["distribution"], settings=settings(mode="spend_threshold", spend_threshold=50000)) as client:
        await register(client.runtime, "13900000009", "小李")
        await log_in(client, "13900000009")
        assert "Spend CN¥500.00 in total to become a distributor. You have spent CN¥0.00." in (
            await client.get("/distribution", headers=EN)).text
        r = await post_form(client, "/distribution/become", headers=ZH)
        assert r.status_code == 409 and 'role="alert"' in r.text and "累计消费满 ¥500.00 后即可成为分销员。" in r.text
        assert await Distributor.all().count() == 0
    async with make_app(enabled=["distribution"], settings=settings(mode="designated")) as client:
        await register(client.runtime, "13900000008", "小王")
        await log_in(client, "13900000008")
        page = (await client.get("/distribution", headers=ZH)).text
        assert "分销员由运营人员指定。" in page and 'action="/distribution/become"' not in page


async def test_withdraw_form_errors_are_inline_and_keep_the_amount(make_app):
    async with make_app(enabled=["distribution"],
                        settings=settings(withdrawal_min=1000, withdrawal_max=1500, withdrawal_fee_bp=100)) as client:
        w = await world(client.runtime)
        await close(client.runtime, w.order.id)  # B's ¥20 becomes available
        await log_in(client, "13900000002")
        page = (await client.get("/distribution/earnings", headers=EN)).text
        assert "From CN¥10.00 to CN¥15.00 per request" in page and "Fee: 1% of the amount." in page
        cases = [("abc", ZH, 400, "请输入以元为单位的金额，例如 12.50。"), ("1.234", EN, 400, "Enter an amount in yuan, like 12.50."),
                 ("-5", EN, 400, "Enter an amount in yuan, like 12.50."),
                 ("9.99", EN, 400, "A withdrawal must be between ¥10.00 and ¥15.00."),
                 ("15.01", ZH, 400, "单笔提现金额须在 ¥10.00 至 ¥15.00 之间。")]
        for typed, lang, status, message in cases:
            r = await post_form(client, "/distribution/withdraw", {"amount": typed}, headers=lang)
            assert r.status_code == status, (typed, r.status_code)
            assert message in r.text, (typed, message)
            assert f'value="{typed}"' in r.text and 'aria-invalid="true"' in r.text, typed
        assert await Withdrawal.all().count() == 0
        ok = await post_form(client, "/distribution/withdraw", {"amount": "12.50"})
        assert ok.status_code == 303 and ok.headers["location"] == "/distribution/earnings?requested=1"
        withdrawal = await Withdrawal.get(member_id=w.b.id)
        assert (withdrawal.amount, withdrawal.fee) == (1250, 13)
        assert (await ledger.wallet(w.b.id))["available"] == 750
        pending = await post_form(client, "/distribution/withdraw", {"amount": "10"}, headers=EN)
        assert pending.status_code == 409 and "You already have a withdrawal waiting for review." in pending.text
        page = (await client.get("/distribution/earnings?requested=1", headers=EN)).text
        assert "Your withdrawal request was sent for review." in page and "Waiting for review" in page


async def test_withdrawing_more_than_available_is_refused_inline(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        await world(client.runtime)  # B's ¥20 is still pending
        await log_in(client, "13900000002")
        r = await post_form(client, "/distribution/withdraw", {"amount": "5"}, headers=ZH)
        assert r.status_code == 409 and 'value="5"' in r.text
        assert 'role="alert"' in r.text and "提现金额超过了可提现余额。" in r.text
        assert await Withdrawal.all().count() == 0


async def test_forms_need_the_csrf_token(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        await world(client.runtime)
        await log_in(client, "13900000002")
        r = await client.post("/distribution/withdraw", data={"amount": "5"})
        assert r.status_code == 403 and await Withdrawal.all().count() == 0
