"""Sign-up, login, logout, sessions, rate limits, CSRF, password changes and API tokens over HTTP."""

import httpx
import pytest
from argon2 import PasswordHasher

from qunshang.members import passwords
from qunshang.members.models import ApiToken, Member
from qunshang.testing import bearer, make_member

SESSION = "qunshang_session"
PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


async def register(client, login="13800138000", password=PASSWORD, **extra):
    body = {"login": login, "password": password, "display_name": extra.pop("display_name", "小明"), **extra}
    return await client.post("/api/auth/register", json=body, headers=await client.form_headers())


async def login(client, login="13800138000", password=PASSWORD):
    return await client.post("/api/auth/login", json={"login": login, "password": password}, headers=await client.form_headers())


async def me_with_session(client, session_id):
    """``GET /api/me`` presenting ``session_id``, leaving the client's own cookies as they were."""
    saved = httpx.Cookies(client.cookies)
    try:
        return await client.get("/api/me", headers={"Cookie": f"{SESSION}={session_id}"})
    finally:
        client.cookies = saved


async def signed_in(client):
    return (await client.get("/api/me")).status_code == 200


async def test_register_signs_the_member_in(client):
    r = await register(client, login="+86 138 0013 8000", context={"source": "livestream", "channel": "douyin", "x": "y"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["login"] == "13800138000" and body["display_name"] == "小明" and body["level"] == "user"
    assert body["roles"] == [] and "password_hash" not in body
    assert client.cookies.get(SESSION)
    me = await client.get("/api/me")
    assert me.status_code == 200 and me.json()["id"] == body["id"]
    stored = await Member.get(id=body["id"])
    assert stored.registered_via == {"source": "livestream", "channel": "douyin"}


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"login": "12345", "password": PASSWORD, "display_name": "x"}, 400, "invalid_login"),
        ({"login": "li@example", "password": PASSWORD, "display_name": "x"}, 400, "invalid_login"),
        ({"login": "li@example.com", "password": "short", "display_name": "x"}, 400, "weak_password"),
        ({"login": "li@example.com", "password": "x" * 129, "display_name": "x"}, 400, "weak_password"),
        ({"login": "li@example.com", "password": PASSWORD, "display_name": " "}, 400, "invalid_input"),
        ({"login": "li@example.com", "password": PASSWORD, "display_name": "x", "locale": "fr"}, 400, "invalid_input"),
        ({"login": "li@example.com", "password": PASSWORD, "display_name": "x", "is_staff": True}, 400, "invalid_input"),
        ({"login": "li@example.com", "password": PASSWORD, "display_name": "x", "context": {"source": 1}}, 400, "invalid_input"),
        ({"login": "li@example.com", "password": PASSWORD}, 400, "invalid_input"),
    ],
)
async def test_bad_registrations_are_4xx_with_codes_and_write_nothing(client, body, status, code):
    r = await client.post("/api/auth/register", json=body, headers=await client.form_headers())
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert not await Member.exists()
    assert not await signed_in(client)


async def test_duplicate_registration_is_409_login_taken_in_the_callers_language(client):
    assert (await register(client)).status_code == 201
    r = await client.post(
        "/api/auth/register",
        json={"login": "138-0013-8000", "password": PASSWORD, "display_name": "x"},
        headers={**await client.form_headers(), "Accept-Language": "zh-CN"},
    )
    assert r.status_code == 409
    assert r.json()["error"] == {"code": "login_taken", "message": "该手机号或邮箱已注册。"}


async def test_register_without_the_csrf_header_is_refused(client):
    r = await client.post("/api/auth/register", json={"login": "li@example.com", "password": PASSWORD, "display_name": "x"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    assert not await Member.exists()


async def test_cookie_authenticated_writes_need_the_csrf_header(client):
    await register(client)
    r = await client.post("/api/me/tokens", json={"name": "erp"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = await client.patch("/api/me", json={"display_name": "Mallory"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    assert not await ApiToken.exists()
    assert (await client.get("/api/me")).json()["display_name"] == "小明"
    r = await client.post("/api/me/tokens", json={"name": "erp"}, headers=await client.form_headers())
    assert r.status_code == 201


async def test_login_rotates_the_session_and_the_old_id_stops_working(client, clock):
    await register(client)
    before = client.cookies.get(SESSION)
    assert (await me_with_session(client, before)).status_code == 200
    r = await login(client, " 138 0013 8000 ")
    assert r.status_code == 200, r.text
    after = client.cookies.get(SESSION)
    assert after and after != before
    assert (await me_with_session(client, before)).status_code == 401
    me = await me_with_session(client, after)
    assert me.status_code == 200 and me.json()["login"] == "13800138000"
    assert (await Member.get(login="13800138000")).last_login_at == clock()


async def test_every_login_issues_a_new_session_id(client):
    await register(client)
    first = client.cookies.get(SESSION)
    await login(client)
    second = client.cookies.get(SESSION)
    await login(client)
    third = client.cookies.get(SESSION)
    assert len({first, second, third}) == 3
    assert (await client.get("/api/me")).status_code == 200


async def test_wrong_password_and_unknown_login_look_the_same(client):
    await register(client)
    client.cookies.clear()
    wrong = await login(client, password="wrong password")
    unknown = await login(client, login="13900139000")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "invalid_credentials"
    assert not await signed_in(client)


async def test_logins_are_rate_limited(client):
    await register(client)
    client.cookies.clear()
    for _ in range(5):
        assert (await login(client, password="wrong password")).status_code == 401
    r = await login(client)
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "too_many_requests"
    assert "900" in r.json()["error"]["message"]
    assert not await signed_in(client)


async def test_rate_limit_counts_per_ip(make_app):
    async with make_app(config={"security": {"login_max_failures_per_ip": 3}}) as client:
        await make_member("other@example.com")
        for i in range(3):
            assert (await login(client, login=f"guess{i}@example.com", password="password1")).status_code == 401
        r = await login(client, login="other@example.com", password="password1")
        assert r.status_code == 429 and r.headers["retry-after"] == "900"


async def test_the_rate_limit_window_expires(client, clock):
    await register(client)
    for _ in range(5):
        await login(client, password="wrong password")
    assert (await login(client)).status_code == 429
    clock.advance(seconds=900)
    assert (await login(client)).status_code == 200


async def test_logout_ends_the_session(client):
    await register(client)
    session_id = client.cookies.get(SESSION)
    r = await client.post("/api/auth/logout", headers=await client.form_headers())
    assert r.status_code == 204
    assert (await client.get("/api/me")).status_code == 401
    assert (await me_with_session(client, session_id)).status_code == 401


async def test_disabled_members_cannot_log_in_and_lose_their_sessions(client):
    await register(client)
    await Member.filter(login="13800138000").update(is_active=False)
    assert (await client.get("/api/me")).status_code == 401
    r = await login(client)
    assert r.status_code == 403 and r.json()["error"]["code"] == "account_disabled"


async def test_anonymous_me_is_401(client):
    r = await client.get("/api/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"


async def test_profile_update_changes_name_and_language(client):
    await register(client)
    headers = await client.form_headers()
    r = await client.patch("/api/me", json={"display_name": "<script>alert(1)</script>", "locale": "en"}, headers=headers)
    assert r.status_code == 200
    assert r.json()["display_name"] == "<script>alert(1)</script>" and r.json()["locale"] == "en"
    assert r.headers["content-type"].startswith("application/json")
    missing = await client.get("/api/products/999", headers={"Accept-Language": "zh-CN"})
    assert missing.json()["error"]["message"] == "Not found."  # the member's choice beats the browser's
    assert (await client.patch("/api/me", json={"locale": "fr"}, headers=headers)).status_code == 400
    assert (await client.patch("/api/me", json={"level": "loyal_fan"}, headers=headers)).status_code == 400
    assert (await client.patch("/api/me", json={"display_name": "x" * 65}, headers=headers)).status_code == 400
    assert (await client.get("/api/me")).json()["level"] == "user"


async def test_password_change_needs_the_current_password_and_rotates_the_session(client):
    await register(client)
    before = client.cookies.get(SESSION)
    headers = await client.form_headers()
    r = await client.post("/api/me/password", json={"current_password": "nope nope", "new_password": "new password 1"}, headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_credentials"
    r = await client.post("/api/me/password", json={"current_password": PASSWORD, "new_password": "short"}, headers=headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "weak_password"
    r = await client.post("/api/me/password", json={"current_password": PASSWORD, "new_password": "new password 1"}, headers=headers)
    assert r.status_code == 204
    after = client.cookies.get(SESSION)
    assert after != before
    assert (await me_with_session(client, before)).status_code == 401
    assert (await client.get("/api/me")).status_code == 200
    client.cookies.clear()
    assert (await login(client)).status_code == 401
    assert (await login(client, password="new password 1")).status_code == 200


async def test_token_lifecycle(client):
    await register(client)
    headers = await client.form_headers()
    created = await client.post("/api/me/tokens", json={"name": "ERP"}, headers=headers)
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("qs_") and created.json()["prefix"] == secret[:10]

    listed = await client.get("/api/me/tokens")
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()] == ["ERP"]
    assert "token" not in listed.json()[0] and secret not in listed.text

    client.cookies.clear()
    auth = {"Authorization": f"Bearer {secret}"}
    me = await client.get("/api/me", headers=auth)
    assert me.status_code == 200 and me.json()["login"] == "13800138000"

    await login(client)
    r = await client.delete(f"/api/me/tokens/{created.json()['id']}", headers=await client.form_headers())
    assert r.status_code == 204
    client.cookies.clear()
    r = await client.get("/api/me", headers=auth)
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"


async def test_tokens_of_others_are_not_found(client):
    other = await make_member("other@example.com")
    other_auth = await bearer(other)
    other_token = await ApiToken.get(member_id=other.id)
    await register(client)
    r = await client.delete(f"/api/me/tokens/{other_token.id}", headers=await client.form_headers())
    assert r.status_code == 404
    assert (await client.get("/api/me", headers=other_auth)).status_code == 200


async def test_api_tokens_cannot_manage_account_security(client):
    auth = await bearer(await make_member("li@example.com"))
    r = await client.post("/api/me/tokens", json={"name": "more"}, headers=auth)
    assert r.status_code == 403 and r.json()["error"]["code"] == "session_required"
    r = await client.post("/api/me/password", json={"current_password": "x", "new_password": "new password 1"}, headers=auth)
    assert r.status_code == 403 and r.json()["error"]["code"] == "session_required"
    assert (await client.get("/api/me/tokens", headers=auth)).status_code == 403
    assert await ApiToken.all().count() == 1


async def test_malformed_authorization_is_401(client):
    r = await client.get("/api/me", headers={"Authorization": "Token abc"})
    assert r.status_code == 401
    r = await client.get("/api/me", headers={"Authorization": "Bearer qs_not_a_real_token"})
    assert r.status_code == 401
