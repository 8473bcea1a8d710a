"""Console editing of grades and of product/SKU commission rates: audited, for
``distribution.manage`` only, errors inline with what was typed kept."""

import pytest

from qunshang.catalog import service as catalog
from qunshang.catalog.models import ProductStatus
from qunshang.console.models import AuditEntry
from qunshang.plugins.distribution.models import Grade, RateOverride
from tests.core.console.conftest import sign_in, staff

from .support import settings

EN = {"Accept-Language": "en"}


async def post_form(client, url: str, data: dict, headers: dict | None = None):
    """POST like a browser (the CSRF token in the body), in English when ``headers`` say so."""
    token = (await client.form_headers())["x-csrftoken"]
    return await client.post(url, data={"_csrf_token": token, **data}, headers=headers or {})


async def _operator(client, role="operator"):
    await staff(f"{role}@example.com", roles=[role])
    assert (await sign_in(client, f"{role}@example.com")).status_code == 303


async def _product():
    product = await catalog.create_product(title="Tea <b>", status=ProductStatus.PUBLISHED,
                                           skus=[catalog.SkuInput("T-1", 10000, 5, "50g"), catalog.SkuInput("T-2", 20000, 5, "100g")])
    return product, await product.skus.all().order_by("id")


async def test_operators_edit_a_grade_with_an_audit(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        grade = await Grade.create(name="银牌", rank=1, rates_bp=[1500, 700], min_team_size=5, min_team_sales=100050)
        await Grade.create(name="金牌", rank=2)
        await _operator(client)
        settings_page = (await client.get("/console/distribution/settings", headers=EN)).text
        assert f'href="/console/distribution/grades/{grade.id}"' in settings_page
        form = (await client.get(f"/console/distribution/grades/{grade.id}", headers=EN)).text
        for value in ('value="银牌"', 'value="1"', 'value="1500, 700"', 'value="5"', 'value="1000.50"'):
            assert value in form
        r = await post_form(client, f"/console/distribution/grades/{grade.id}", {
            "name": "银牌+", "rank": "3", "rates_bp": "1600 / 800", "min_team_size": "", "min_team_sales": "",
            "min_own_sales": "99.90"})
        assert r.status_code == 303 and r.headers["location"] == "/console/distribution/settings"
        grade = await Grade.get(id=grade.id)
        assert (grade.name, grade.rank, grade.rates_bp, grade.min_team_size, grade.min_team_sales, grade.min_own_sales) == (
            "银牌+", 3, [1600, 800], None, None, 9990)
        entry = await AuditEntry.get(action="distribution.grade.update")
        assert entry.target_id == str(grade.id)
        assert entry.before["name"] == "银牌" and entry.before["rates_bp"] == [1500, 700]
        assert entry.after["name"] == "银牌+" and entry.after["min_own_sales"] == 9990
        assert (await client.get("/console/distribution/grades/999999")).status_code == 404


@pytest.mark.parametrize(("bad", "status", "message"), [
    ({"rates_bp": "8000, 8000"}, 400, "10000"),
    ({"rates_bp": "15%"}, 400, "rates_bp"),
    ({"rank": "2"}, 409, "A grade with this name or rank already exists."),
    ({"min_own_sales": "1.001"}, 400, "min_own_sales"),
])
async def test_grade_form_errors_are_inline_and_keep_what_was_typed(make_app, bad, status, message):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        grade = await Grade.create(name="银牌", rank=1)
        await Grade.create(name="金牌", rank=2)
        await _operator(client)
        typed = {"name": "<script>x</script>", "rank": "7", "rates_bp": "1200, 600", "min_team_size": "4",
                 "min_team_sales": "", "min_own_sales": "", **bad}
        for path in (f"/console/distribution/grades/{grade.id}", "/console/distribution/grades"):
            r = await post_form(client, path, typed, headers=EN)
            assert r.status_code == status, (path, r.text)
            assert 'class="flash error" role="alert"' in r.text and message in r.text
            assert 'value="&lt;script&gt;x&lt;/script&gt;"' in r.text and "<script>x" not in r.text
            assert f'value="{typed["rates_bp"]}"' in r.text and 'value="4"' in r.text
        assert (await Grade.get(id=grade.id)).name == "银牌" and await Grade.all().count() == 2
        assert not await AuditEntry.filter(action__startswith="distribution.grade").exists()


async def test_operators_set_and_remove_product_and_option_rates_with_an_audit(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        product, (small, large) = await _product()
        await _operator(client)
        page = (await client.get(f"/console/distribution/rates?product_id={product.id}", headers=EN)).text
        assert "Tea &lt;b&gt;" in page and page.count('action="/console/distribution/rates/') == 3  # product + 2 options
        r = await post_form(client, f"/console/distribution/rates/{product.id}", {"sku_id": "", "rates_bp": "3000, 500"})
        assert r.status_code == 303 and r.headers["location"] == f"/console/distribution/rates?product_id={product.id}"
        r = await post_form(client, f"/console/distribution/rates/{product.id}",
                            {"sku_id": str(large.id), "amounts_per_unit": "5, 2.50"})
        assert r.status_code == 303
        r = await post_form(client, f"/console/distribution/rates/{product.id}", {"sku_id": str(small.id), "excluded": "1"})
        assert r.status_code == 303
        saved = {o.sku_id: (o.rates_bp, o.amounts_per_unit, o.excluded) for o in await RateOverride.all()}
        assert saved == {None: ([3000, 500], None, False), large.id: (None, [500, 250], False), small.id: (None, None, True)}
        page = (await client.get(f"/console/distribution/rates?product_id={product.id}", headers=EN)).text
        assert 'value="3000, 500"' in page and 'value="5.00, 2.50"' in page and "checked" in page
        # a change is audited with before and after
        r = await post_form(client, f"/console/distribution/rates/{product.id}", {"sku_id": "", "rates_bp": "2500"})
        assert r.status_code == 303
        change = await AuditEntry.filter(action="distribution.rates.set").order_by("-id").first()
        assert change.target_id == str(product.id)
        assert change.before["rates_bp"] == [3000, 500] and change.after["rates_bp"] == [2500]
        r = await post_form(client, f"/console/distribution/rates/{product.id}/delete", {"sku_id": str(large.id)})
        assert r.status_code == 303
        assert not await RateOverride.filter(sku_id=large.id).exists()
        removed = await AuditEntry.get(action="distribution.rates.delete")
        assert removed.before["amounts_per_unit"] == [500, 250] and removed.after is None
        assert await AuditEntry.filter(action="distribution.rates.set").count() == 4
        again = await post_form(client, f"/console/distribution/rates/{product.id}/delete", {"sku_id": str(large.id)})
        assert again.status_code == 404
        assert (await client.get("/console/distribution/rates?product_id=999999")).status_code == 404


@pytest.mark.parametrize(("bad", "message"), [
    ({"rates_bp": "3000, x"}, "rates_bp"),
    ({"rates_bp": "6000, 6000"}, "10000"),
    ({"rates_bp": "1000", "amounts_per_unit": "5"}, "not both"),
    ({"amounts_per_unit": "5, 2, 1"}, "amounts_per_unit"),
    ({"amounts_per_unit": "-5"}, "amounts_per_unit"),
])
async def test_rate_form_errors_are_inline_next_to_the_form_and_keep_what_was_typed(make_app, bad, message):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        product, (small, _large) = await _product()
        await _operator(client)
        r = await post_form(client, f"/console/distribution/rates/{product.id}", {"sku_id": str(small.id), **bad}, headers=EN)
        assert r.status_code == 400, r.text
        section = r.text.split(f'id="rates-{small.id}"')[1].split("</section>")[0]
        assert 'class="flash error" role="alert"' in section and message in section
        for name, value in bad.items():
            assert f'name="{name}" maxlength="{40 if name == "rates_bp" else 60}" placeholder' in section
            assert f'value="{value}"' in section
        assert r.text.count('role="alert"') == 1
        assert not await RateOverride.exists() and not await AuditEntry.filter(action__startswith="distribution.rates").exists()


async def test_rates_are_for_operators_only(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        product, _skus = await _product()
        await _operator(client, "finance")
        assert (await client.get(f"/console/distribution/rates?product_id={product.id}")).status_code == 403
        r = await post_form(client, f"/console/distribution/rates/{product.id}", {"rates_bp": "3000"})
        assert r.status_code == 403 and not await RateOverride.exists()
