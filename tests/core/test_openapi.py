async def test_openapi_schema_and_ui_are_served_without_a_cdn(client):
    spec = await client.get("/schema/openapi.json")
    assert spec.status_code == 200
    assert "/api/products" in spec.json()["paths"]
    ui = await client.get("/schema")
    assert ui.status_code == 200
    assert "cdn." not in ui.text and "unpkg" not in ui.text and "googleapis" not in ui.text
    assert "/static/core/openapi/swagger-ui-bundle.js" in ui.text
    asset = await client.get("/static/core/openapi/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000


async def test_unknown_route_and_wrong_method_have_stable_codes(client):
    r = await client.get("/api/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await client.delete("/api/products", headers=await client.form_headers())
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
