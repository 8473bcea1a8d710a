"""The distribution centre's storefront pages and slots render in both themes and both
languages, show the member's own figures, and never someone else's."""

import io

import pytest
from PIL import Image

from qunshang.ledger import service as ledger
from qunshang.plugins.distribution.models import Commission

from .site import LANGS, THEMES, log_in, world
from .support import settings

APP = {"app": {"base_url": "https://shop.example.com", "name": "群商茶友会"}}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("locale", LANGS)
async def test_every_page_renders(make_app, theme, locale):
    tag, centre = LANGS[locale]
    async with make_app(enabled=["distribution"], settings=settings(), config={**APP, "theme": {"name": theme}}) as client:
        w = await world(client.runtime)
        commission = await Commission.get(earner_id=w.b.id)
        await log_in(client, "13900000002")
        pages = ["/distribution", "/distribution/share", f"/distribution/share?product_id={w.product.id}",
                 "/distribution/team", "/distribution/earnings", f"/distribution/earnings/{commission.id}",
                 f"/p/{w.product.id}", "/me"]
        for path in pages:
            r = await client.get(path, headers={"Accept-Language": tag})
            assert r.status_code == 200, (path, r.text[:300])
            assert f'<html lang="{tag}">' in r.text and f'class="theme-{theme}"' in r.text, path
            assert f'<a href="/distribution">{centre}</a>' in r.text, path  # the nav_items entry
            assert "content-security-policy" in r.headers, path


async def test_pages_show_the_members_own_figures(make_app):
    async with make_app(enabled=["distribution"], settings=settings(), config=APP) as client:
        w = await world(client.runtime)
        await log_in(client, "13900000002")
        en = {"Accept-Language": "en"}
        centre = (await client.get("/distribution", headers=en)).text
        code = (await client.get("/api/distribution/share")).json()["code"]
        assert f"Your referral code is {code}" in centre and "CN¥20.00" in centre  # pending ¥20 of 20% × ¥100
        share = (await client.get(f"/distribution/share?product_id={w.product.id}", headers=en)).text
        assert f'value="https://shop.example.com/p/{w.product.id}?ref={code}"' in share
        assert f'src="/api/distribution/share/qr.svg?product_id={w.product.id}"' in share
        assert f'href="/distribution/poster.png?product_id={w.product.id}"' in share
        team = (await client.get("/distribution/team", headers=en)).text
        assert "小陈" in team and "阿明" not in team  # C is B's team, A is above
        earnings = (await client.get("/distribution/earnings", headers=en)).text
        assert "Paid for the item after discounts, without shipping: CN¥100.00" in earnings
        assert "× 20%, the default rate for level 1" in earnings
        assert "= ¥20.00, rounded half-up to the fen: CN¥20.00" in earnings
        zh = (await client.get("/distribution/earnings", headers={"Accept-Language": "zh-CN"})).text
        assert "× 20%，第 1 级的默认比例" in zh and "四舍五入到分：¥20.00" in zh
        me = (await client.get("/me", headers=en)).text
        assert 'href="/distribution/earnings"' in me and "CN¥20.00" in me  # the member.dashboard card


async def test_a_negative_available_balance_is_explained(make_app):
    async with make_app(enabled=["distribution"], settings=settings(), config=APP) as client:
        w = await world(client.runtime)
        await log_in(client, "13900000002")
        hint = "A refund took back commission that had already been paid out"
        assert hint not in (await client.get("/distribution/earnings", headers={"Accept-Language": "en"})).text
        await ledger.post("test:clawback", "test", [(ledger.member_account(w.b.id, "available"), -500),
                                                    (ledger.SALES, 500)], at=client.runtime.now())
        for lang, text in (("en", hint), ("zh-CN", "退款扣回了已提现的佣金")):
            page = (await client.get("/distribution/earnings", headers={"Accept-Language": lang})).text
            assert text in page, lang


async def test_the_poster_is_a_png_with_the_product(make_app):
    async with make_app(enabled=["distribution"], settings=settings(), config=APP) as client:
        w = await world(client.runtime)
        await log_in(client, "13900000002")
        for query in ("", f"?product_id={w.product.id}"):
            r = await client.get(f"/distribution/poster.png{query}")
            assert r.status_code == 200 and r.headers["content-type"] == "image/png"
            assert r.content[:8] == b"\x89PNG\r\n\x1a\n"
            image = Image.open(io.BytesIO(r.content))
            assert image.format == "PNG" and image.size == (750, 940)
            assert "#%02x%02x%02x" % image.convert("RGB").getpixel((5, 5)) == client.runtime.state["theme"].settings.primary_color
        plain, product = (await client.get("/distribution/poster.png")).content, r.content
        assert plain != product  # the product poster carries the title and price
        assert (await client.get("/distribution/poster.png?product_id=999999")).status_code == 404


async def test_the_poster_falls_back_to_the_default_font(make_app, monkeypatch):
    from qunshang.plugins.distribution.service import poster

    monkeypatch.setattr(poster, "CJK_FONTS", ("/nonexistent/font.ttc",))
    poster.font.cache_clear()
    try:
        png = poster.render_png(brand="群商", link="https://shop.example.com/?ref=ABCDEFGH", caption="扫码", title="龙井",
                                price="¥1.00")
        assert Image.open(io.BytesIO(png)).size == (750, 940)
    finally:
        poster.font.cache_clear()


async def test_anonymous_visitors_are_sent_to_log_in_and_others_commissions_are_not_found(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        w = await world(client.runtime)
        for path in ("/distribution", "/distribution/team", "/distribution/earnings", "/distribution/poster.png"):
            r = await client.get(path)
            assert r.status_code in (302, 303) and r.headers["location"].startswith("/login"), path
        anonymous = await client.get(f"/p/{w.product.id}", headers={"Accept-Language": "en"})
        assert "Share and earn" not in anonymous.text and "Distribution centre" not in anonymous.text
        others = await Commission.get(earner_id=w.a.id)
        await log_in(client, "13900000002")
        r = await client.get(f"/distribution/earnings/{others.id}")
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert (await client.get("/distribution/earnings/999999")).status_code == 404
        mine = await Commission.get(earner_id=w.b.id)
        assert (await client.get(f"/distribution/earnings/{mine.id}")).status_code == 200


async def test_frozen_distributors_cannot_share_and_see_why(make_app):
    from qunshang.plugins.distribution.models import DistributorStatus
    from qunshang.plugins.distribution.service import distributors

    async with make_app(enabled=["distribution"], settings=settings()) as client:
        w = await world(client.runtime)
        await distributors.update(w.b.id, status=DistributorStatus.FROZEN)
        await log_in(client, "13900000002")
        centre = await client.get("/distribution", headers={"Accept-Language": "en"})
        assert "Your distributor account is frozen" in centre.text
        share = await client.get("/distribution/share", headers={"Accept-Language": "en"})
        assert share.status_code == 403 and "You are not a distributor." in share.text
        assert (await client.get("/distribution/poster.png")).status_code == 403
        product = await client.get(f"/p/{w.product.id}", headers={"Accept-Language": "en"})
        assert "Share and earn" not in product.text  # no calculator for who cannot earn


def test_exact_amounts_read_in_yuan():
    from qunshang.plugins.distribution.web import exact_yuan

    assert [exact_yuan(v) for v in ("2000.0000", "1234.5000", "3.3333", "0.0000")] == ["20.00", "12.345", "0.033333", "0.00"]


async def test_why_a_commission_is_what_it_is_with_a_fraction_of_a_fen(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        w = await world(client.runtime, price=12345)
        mine = await Commission.get(earner_id=w.a.id)  # level 2: 10% of ¥123.45 = ¥12.345
        await log_in(client, "13900000001")
        page = (await client.get(f"/distribution/earnings/{mine.id}", headers={"Accept-Language": "en"})).text
        assert "Why did I get CN¥12.35?" in page
        assert "Someone in your team, level 2, bought it" in page
        assert "= ¥12.345, rounded half-up to the fen: CN¥12.35" in page


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "Capped at the amount paid for the item, all levels together, lower levels first: CN¥100.00 (CN¥20.00 before the cap) → CN¥10.00"),
    ("zh-CN", "各级佣金合计不超过该商品实付金额，从低层级起依次分配：实付 ¥100.00（封顶前 ¥20.00）→ ¥10.00"),
])
async def test_a_capped_commission_says_so(make_app, lang, text):
    from qunshang.plugins.distribution.service import rules

    from .site import pay

    async with make_app(enabled=["distribution"], settings=settings()) as client:
        w = await world(client.runtime)
        await rules.set_override(client.runtime, w.product.id, sku_id=None, rates_bp=None,
                                 amounts_per_unit=[9000, 2000], excluded=False)
        order = await pay(client.runtime, w.c, (await w.product.skus.all())[0])
        mine = await Commission.get(order_id=order.id, earner_id=w.a.id)
        assert mine.amount == 1000
        await log_in(client, "13900000001")
        page = (await client.get(f"/distribution/earnings/{mine.id}", headers={"Accept-Language": lang})).text
        assert text in page
