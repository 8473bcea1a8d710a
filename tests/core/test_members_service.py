"""Member services: login rules, registration, authentication, levels, roles, tags, tokens."""

import asyncio
import sqlite3

import anyio.to_thread
import pytest
from argon2 import PasswordHasher

from qunshang import hookimpl
from qunshang.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from qunshang.members import passwords, service
from qunshang.members.models import ApiToken, Level, Member, MemberRole
from qunshang.testing import make_member
from qunshang.web.auth import token_digest


class CountingHasher(PasswordHasher):
    """A cheap argon2id hasher that counts verifications."""

    def __init__(self, time_cost: int = 1) -> None:
        super().__init__(time_cost=time_cost, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash, password):  # noqa: A002 - argon2's own signature
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def hasher(monkeypatch):
    cheap = CountingHasher()
    monkeypatch.setattr(passwords, "HASHER", cheap)
    return cheap


class Recorder:
    """A test plugin recording the member hooks."""

    def __init__(self):
        self.registered = []
        self.levels = []

    @hookimpl
    async def member_registered(self, runtime, member, context):
        self.registered.append({
            "member_id": member.id,
            "context": context,
            "visible_in_transaction": await Member.exists(id=member.id),
            "committed": await committed_elsewhere(runtime, member.id),
        })

    @hookimpl
    def member_level_changed(self, member, old_level, new_level, reason):
        self.levels.append((member.id, old_level, new_level, reason))


async def committed_elsewhere(runtime, member_id):
    """Whether another database connection (outside any transaction of the app) sees the row."""
    url = runtime.config.database.url
    if url.startswith("sqlite://"):
        def read():
            conn = sqlite3.connect(url.removeprefix("sqlite://"), timeout=5)
            try:
                return conn.execute("SELECT count(*) FROM members_member WHERE id = ?", (member_id,)).fetchone()[0] == 1
            finally:
                conn.close()

        return await anyio.to_thread.run_sync(read)
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return await conn.fetchval("SELECT count(*) FROM members_member WHERE id = $1", member_id) == 1
    finally:
        await conn.close()


async def _register(runtime, login="13800138000", password="correct horse", **kw):
    return await service.register(runtime, login=login, password=password, display_name=kw.pop("display_name", "Ming"), **kw)


def _store(client):
    return client.app.stores.get("rate_limit")


# --------------------------------------------------------------------------- logins


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        (" +8619912345678 ", "19912345678"),
        (" Alice.Wang@Example.COM ", "alice.wang@example.com"),
        ("li+shop@mail.example.cn", "li+shop@mail.example.cn"),
    ],
)
def test_logins_are_normalised(raw, expected):
    assert service.normalise_login(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "", "   ", "12800138000", "1380013800", "138001380001", "+1 13800138000", "0086 13800138000",
        "１３８００１３８０００", "alice@", "@example.com", "a@b", "a@@b.com", "<script>@x.com",
        "alice@exa mple.com", "x" * 120 + "@example.com", None, 13800138000,
    ],
)
def test_bad_logins_are_refused(raw):
    with pytest.raises(service.InvalidLogin) as err:
        service.normalise_login(raw)
    assert err.value.code == "invalid_login" and err.value.status_code == 400


# --------------------------------------------------------------------------- registration


async def test_register_stores_a_normalised_login_and_an_argon2id_hash(client, hasher):
    member = await _register(client.runtime, login="+86 138 0013 8000", display_name="  小明 ")
    stored = await Member.get(id=member.id)
    assert stored.login == "13800138000"
    assert stored.display_name == "小明"
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse" not in stored.password_hash
    assert hasher.verify(stored.password_hash, "correct horse")


@pytest.mark.parametrize("password", ["", "short", "1234567", "x" * 129])
async def test_register_refuses_passwords_outside_the_policy(client, password):
    with pytest.raises(service.WeakPassword) as err:
        await _register(client.runtime, password=password)
    assert err.value.code == "weak_password"
    assert not await Member.exists()


async def test_password_policy_bounds_are_inclusive(client):
    await _register(client.runtime, login="a@example.com", password="x" * 8)
    await _register(client.runtime, login="b@example.com", password="x" * 128)
    assert await Member.all().count() == 2


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "bad\x00name", "tab\tname"])
async def test_register_refuses_bad_display_names(client, name):
    with pytest.raises(InvalidInput):
        await _register(client.runtime, display_name=name)
    assert not await Member.exists()


async def test_register_refuses_unknown_locales(client):
    with pytest.raises(InvalidInput):
        await _register(client.runtime, locale="fr")


async def test_duplicate_login_is_login_taken_whatever_its_spelling(client):
    await _register(client.runtime, login="13800138000")
    with pytest.raises(service.LoginTaken) as err:
        await _register(client.runtime, login="+86 138-0013-8000")
    assert isinstance(err.value, Conflict) and err.value.code == "login_taken"
    await _register(client.runtime, login="Ming@Example.com")
    with pytest.raises(service.LoginTaken):
        await _register(client.runtime, login="ming@example.COM")
    assert await Member.all().count() == 2


async def test_concurrent_registrations_of_one_login_create_one_member(client):
    results = await asyncio.gather(
        *[_register(client.runtime, login="13900139000") for _ in range(4)], return_exceptions=True
    )
    assert sum(isinstance(r, Member) for r in results) == 1
    assert all(isinstance(r, service.LoginTaken) for r in results if not isinstance(r, Member))
    assert await Member.filter(login="13900139000").count() == 1


def test_registration_context_keeps_only_known_keys_capped_and_valid():
    context = {
        "source": "livestream",
        "referral_code": "R" * 100,
        "invite_code": "   ",
        "channel": 42,
        "is_staff": "yes",
        "roles": ["owner"],
    }
    assert service.clean_context(context) == {"source": "livestream", "referral_code": "R" * 64}
    assert service.clean_context({"source": "hacker", "channel": " wechat\x00 "}) == {"channel": "wechat"}
    assert service.clean_context(None) == {}
    for source in ("link", "livestream", "group_qr", "salesperson_invite", "poster", "direct"):
        assert service.clean_context({"source": source}) == {"source": source}


async def test_member_registered_fires_with_the_context_inside_the_transaction(make_app):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        member = await _register(
            client.runtime, context={"source": "group_qr", "invite_code": "G7", "admin": "1"}
        )
        assert member.registered_via == {"source": "group_qr", "invite_code": "G7"}
        assert (await Member.get(id=member.id)).registered_via == {"source": "group_qr", "invite_code": "G7"}
        assert recorder.registered == [{
            "member_id": member.id,
            "context": {"source": "group_qr", "invite_code": "G7"},
            "visible_in_transaction": True,
            "committed": False,  # the hook ran before the registration committed
        }]
        assert await committed_elsewhere(client.runtime, member.id)


async def test_a_refused_registration_fires_no_hook(make_app):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        await _register(client.runtime)
        with pytest.raises(service.LoginTaken):
            await _register(client.runtime)
        assert len(recorder.registered) == 1


# --------------------------------------------------------------------------- authentication


async def test_authenticate_returns_the_member_and_records_the_login_time(client, clock):
    member = await _register(client.runtime, login="li@example.com")
    found = await service.authenticate(client.runtime, _store(client), " LI@example.com", "correct horse", "10.0.0.1")
    assert found.id == member.id
    assert (await Member.get(id=member.id)).last_login_at == clock()


async def test_unknown_login_and_wrong_password_fail_alike_and_both_verify_a_hash(client, hasher):
    await _register(client.runtime, login="li@example.com")
    failures = []
    for login, password in (("li@example.com", "wrong password"), ("nobody@example.com", "correct horse"), ("not a login", "x")):
        before = hasher.verified
        with pytest.raises(service.InvalidCredentials) as err:
            await service.authenticate(client.runtime, _store(client), login, password, "10.0.0.1")
        assert hasher.verified == before + 1, "every attempt costs one verification"
        failures.append((err.value.status_code, err.value.code, err.value.render()))
    assert len(set(failures)) == 1
    assert failures[0][:2] == (401, "invalid_credentials")


async def test_disabled_accounts_cannot_log_in(client):
    member = await _register(client.runtime)
    await Member.filter(id=member.id).update(is_active=False)
    with pytest.raises(service.AccountDisabled) as err:
        await service.authenticate(client.runtime, _store(client), "13800138000", "correct horse", "10.0.0.1")
    assert err.value.status_code == 403 and err.value.code == "account_disabled"
    with pytest.raises(service.InvalidCredentials):
        await service.authenticate(client.runtime, _store(client), "13800138000", "wrong password", "10.0.0.1")


async def test_hash_is_upgraded_when_the_parameters_change(client, monkeypatch):
    member = await _register(client.runtime)
    old_hash = (await Member.get(id=member.id)).password_hash
    stronger = CountingHasher(time_cost=2)
    monkeypatch.setattr(passwords, "HASHER", stronger)
    await service.authenticate(client.runtime, _store(client), "13800138000", "correct horse", "10.0.0.1")
    new_hash = (await Member.get(id=member.id)).password_hash
    assert new_hash != old_hash and "t=2" in new_hash
    assert not stronger.check_needs_rehash(new_hash)
    await service.authenticate(client.runtime, _store(client), "13800138000", "correct horse", "10.0.0.1")
    assert (await Member.get(id=member.id)).password_hash == new_hash


async def test_failures_are_limited_per_login_across_ips(client, clock):
    await _register(client.runtime)
    for i in range(5):
        with pytest.raises(service.InvalidCredentials):
            await service.authenticate(client.runtime, _store(client), "13800138000", "wrong password", f"10.0.0.{i}")
    with pytest.raises(TooManyRequests) as err:
        await service.authenticate(client.runtime, _store(client), "13800138000", "correct horse", "10.9.9.9")
    assert err.value.status_code == 429 and err.value.params == {"seconds": 900}
    clock.advance(seconds=600)
    with pytest.raises(TooManyRequests) as err:
        await service.authenticate(client.runtime, _store(client), "+86 13800138000", "correct horse", "10.9.9.9")
    assert err.value.params == {"seconds": 300}
    clock.advance(seconds=301)
    assert await service.authenticate(client.runtime, _store(client), "13800138000", "correct horse", "10.9.9.9")


async def test_failures_are_limited_per_ip_across_logins(make_app):
    async with make_app(config={"security": {"login_max_failures_per_ip": 8}}) as client:
        await _register(client.runtime)
        for i in range(8):
            with pytest.raises(service.InvalidCredentials):
                await service.authenticate(client.runtime, _store(client), f"guess{i}@example.com", "password1", "10.0.0.1")
        with pytest.raises(TooManyRequests):
            await service.authenticate(client.runtime, _store(client), "13800138000", "correct horse", "10.0.0.1")
        assert await service.authenticate(client.runtime, _store(client), "13800138000", "correct horse", "10.0.0.2")


async def test_the_limit_follows_the_configuration(make_app):
    async with make_app(config={"security": {"login_max_failures": 2, "login_window_seconds": 60}}) as client:
        await _register(client.runtime)
        for _ in range(2):
            with pytest.raises(service.InvalidCredentials):
                await service.authenticate(client.runtime, _store(client), "13800138000", "wrong password", "10.0.0.1")
        with pytest.raises(TooManyRequests) as err:
            await service.authenticate(client.runtime, _store(client), "13800138000", "wrong password", "10.0.0.2")
        assert err.value.params == {"seconds": 60}


async def test_a_successful_login_resets_the_logins_failures(client):
    await _register(client.runtime)
    for i in range(4):
        with pytest.raises(service.InvalidCredentials):
            await service.authenticate(client.runtime, _store(client), "13800138000", "wrong password", f"10.0.0.{i}")
    await service.authenticate(client.runtime, _store(client), "13800138000", "correct horse", "10.0.1.1")
    for i in range(4):
        with pytest.raises(service.InvalidCredentials):
            await service.authenticate(client.runtime, _store(client), "13800138000", "wrong password", f"10.0.2.{i}")
    assert await service.authenticate(client.runtime, _store(client), "13800138000", "correct horse", "10.0.3.1")


async def test_a_parallel_burst_cannot_exceed_the_limit(client):
    await _register(client.runtime)
    results = await asyncio.gather(
        *[service.authenticate(client.runtime, _store(client), "13800138000", f"wrong {i}", f"10.0.0.{i}") for i in range(12)],
        return_exceptions=True,
    )
    assert sum(isinstance(r, service.InvalidCredentials) for r in results) == 5
    assert sum(isinstance(r, TooManyRequests) for r in results) == 7


async def test_change_password_needs_the_current_one(client):
    member = await _register(client.runtime)
    with pytest.raises(service.InvalidCredentials):
        await service.change_password(client.runtime, _store(client), member, "wrong password", "new password 1", "10.0.0.1")
    with pytest.raises(service.WeakPassword):
        await service.change_password(client.runtime, _store(client), member, "correct horse", "short", "10.0.0.1")
    await service.change_password(client.runtime, _store(client), member, "correct horse", "new password 1", "10.0.0.1")
    with pytest.raises(service.InvalidCredentials):
        await service.authenticate(client.runtime, _store(client), "13800138000", "correct horse", "10.0.0.2")
    assert await service.authenticate(client.runtime, _store(client), "13800138000", "new password 1", "10.0.0.2")


async def test_change_password_attempts_are_limited(client):
    member = await _register(client.runtime)
    for _ in range(5):
        with pytest.raises(service.InvalidCredentials):
            await service.change_password(client.runtime, _store(client), member, "guess", "new password 1", "10.0.0.1")
    with pytest.raises(TooManyRequests):
        await service.change_password(client.runtime, _store(client), member, "correct horse", "new password 1", "10.0.0.3")


async def test_update_profile(client):
    member = await make_member("li@example.com")
    await service.update_profile(member, display_name=" 李 ", locale="en")
    stored = await Member.get(id=member.id)
    assert (stored.display_name, stored.locale) == ("李", "en")
    await service.update_profile(member, locale=None)
    assert (await Member.get(id=member.id)).locale is None
    with pytest.raises(InvalidInput):
        await service.update_profile(member, locale="de")
    with pytest.raises(InvalidInput):
        await service.update_profile(member, level="loyal_fan")
    assert (await Member.get(id=member.id)).level == Level.USER


# --------------------------------------------------------------------------- levels


async def test_set_level_fires_the_hook_once_per_change(make_app):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        member = await make_member("li@example.com")
        await service.set_level(client.runtime, member, "fan", "spent 1000 yuan")
        assert (await Member.get(id=member.id)).level == Level.FAN and member.level == Level.FAN
        await service.set_level(client.runtime, member, Level.FAN, "again")
        await service.set_level(client.runtime, member, "member", "refund")
        assert recorder.levels == [
            (member.id, "user", "fan", "spent 1000 yuan"),
            (member.id, "fan", "member", "refund"),
        ]


async def test_set_level_refuses_unknown_levels_and_members(client):
    member = await make_member("li@example.com")
    with pytest.raises(InvalidInput):
        await service.set_level(client.runtime, member, "superstar", "why not")
    with pytest.raises(InvalidInput):
        await service.set_level(client.runtime, member, "fan", "")
    ghost = Member(id=999_999, login="ghost@example.com", display_name="ghost")
    with pytest.raises(NotFound):
        await service.set_level(client.runtime, ghost, "fan", "x")


# --------------------------------------------------------------------------- roles, tags, accounts


async def test_roles_unknown_owner_only_and_last_owner(client):
    owner = await make_member("owner@example.com", roles=["owner"])
    operator = await make_member("op@example.com", roles=["operator"])
    buyer = await make_member("buyer@example.com")
    runtime = client.runtime

    with pytest.raises(service.UnknownRole) as err:
        await service.set_roles(runtime, owner, buyer.id, ["wizard"])
    assert err.value.status_code == 400 and err.value.code == "unknown_role"
    with pytest.raises(service.OwnerRequired):
        await service.set_roles(runtime, operator, buyer.id, ["owner"])
    assert await service.set_roles(runtime, operator, buyer.id, ["salesperson", "host"]) == ["host", "salesperson"]
    assert await service.member_roles(buyer.id) == ["host", "salesperson"]
    with pytest.raises(service.OwnerRequired):
        await service.set_roles(runtime, operator, owner.id, [])
    with pytest.raises(service.LastOwner) as err:
        await service.set_roles(runtime, owner, owner.id, ["operator"])
    assert err.value.code == "last_owner"
    assert await service.member_roles(owner.id) == ["owner"], "refused changes are all or nothing"

    await service.set_roles(runtime, owner, buyer.id, ["owner"])
    await service.set_roles(runtime, owner, owner.id, ["operator"])
    assert await service.member_roles(owner.id) == ["operator"]
    assert await MemberRole.filter(role="owner").values_list("member_id", flat=True) == [buyer.id]


async def test_a_disabled_owner_does_not_count_as_the_remaining_owner(client):
    owner = await make_member("owner@example.com", roles=["owner"])
    await make_member("old@example.com", roles=["owner"], is_active=False)
    with pytest.raises(service.LastOwner):
        await service.revoke_role(client.runtime, owner, owner, "owner")


async def test_roles_introduced_by_plugins_are_known(make_app):
    class Livestream:
        @hookimpl
        def register_permissions(self):
            return {"moderator": ["livestream.mute"]}

    async with make_app(extra_plugins=[Livestream()]) as client:
        owner = await make_member("owner@example.com", roles=["owner"])
        buyer = await make_member("buyer@example.com")
        assert await service.set_roles(client.runtime, owner, buyer.id, ["moderator"]) == ["moderator"]


async def test_roles_of_unknown_members_are_not_found(client):
    owner = await make_member("owner@example.com", roles=["owner"])
    with pytest.raises(NotFound):
        await service.set_roles(client.runtime, owner, 999_999, ["host"])


async def test_tags_are_normalised_unique_and_bounded(client):
    member = await make_member("li@example.com")
    assert await service.add_tag(member.id, "  VIP   Buyer ") == ["vip buyer"]
    assert await service.add_tag(member.id, "vip buyer") == ["vip buyer"]
    assert await service.add_tag(member.id, "铁粉") == ["vip buyer", "铁粉"]
    for bad in ("", "   ", "x" * 33, "a\x00b"):
        with pytest.raises(InvalidInput):
            await service.add_tag(member.id, bad)
    assert await service.remove_tag(member.id, "VIP BUYER") == ["铁粉"]
    assert await service.remove_tag(member.id, "absent") == ["铁粉"]
    with pytest.raises(NotFound):
        await service.add_tag(999_999, "vip")


async def test_disabling_accounts(client):
    owner = await make_member("owner@example.com", roles=["owner"])
    other_owner = await make_member("owner2@example.com", roles=["owner"])
    operator = await make_member("op@example.com", roles=["operator"])
    buyer = await make_member("buyer@example.com")
    with pytest.raises(service.CannotDisableSelf):
        await service.set_active(operator, operator.id, False)
    with pytest.raises(service.OwnerRequired):
        await service.set_active(operator, owner.id, False)
    await service.set_active(owner, other_owner.id, False)
    await service.set_active(operator, buyer.id, False)
    assert await Member.filter(is_active=False).count() == 2
    await service.set_active(operator, buyer.id, True)
    assert (await Member.get(id=buyer.id)).is_active
    with pytest.raises(NotFound):
        await service.set_active(operator, 999_999, False)


# --------------------------------------------------------------------------- tokens


async def test_tokens_store_only_a_digest(client):
    member = await make_member("li@example.com")
    token, secret = await service.create_token(member, "  ERP sync ")
    assert secret.startswith("qs_") and len(secret) > 40
    stored = await ApiToken.get(id=token.id)
    assert stored.name == "ERP sync"
    assert stored.token_hash == token_digest(secret) and secret not in stored.token_hash
    assert stored.prefix == secret[:10]
    listed = await service.list_tokens(member)
    assert [t["id"] for t in listed] == [token.id]
    assert all(secret not in str(value) for value in listed[0].values())
    assert "token_hash" not in listed[0]


async def test_tokens_are_revoked_by_their_owner_only(client, clock):
    li = await make_member("li@example.com")
    wang = await make_member("wang@example.com")
    token, _ = await service.create_token(li, "erp")
    with pytest.raises(NotFound):
        await service.revoke_token(client.runtime, wang, token.id)
    assert (await ApiToken.get(id=token.id)).revoked_at is None
    await service.revoke_token(client.runtime, li, token.id)
    first = (await ApiToken.get(id=token.id)).revoked_at
    assert first == clock()
    clock.advance(hours=1)
    await service.revoke_token(client.runtime, li, token.id)
    assert (await ApiToken.get(id=token.id)).revoked_at == first


async def test_active_tokens_are_capped(client):
    member = await make_member("li@example.com")
    tokens = [(await service.create_token(member, f"t{i}"))[0] for i in range(service.MAX_ACTIVE_TOKENS)]
    with pytest.raises(service.TooManyTokens):
        await service.create_token(member, "one more")
    await service.revoke_token(client.runtime, member, tokens[0].id)
    assert (await service.create_token(member, "one more"))[1].startswith("qs_")
    with pytest.raises(InvalidInput):
        await service.create_token(member, "   ")


async def test_only_the_first_owner_is_bootstrapped(client):
    from qunshang.members.models import MemberRole
    from qunshang.testing import make_member

    first, second = await make_member("a@example.com"), await make_member("b@example.com")
    await service.bootstrap_owner(first)
    assert await MemberRole.filter(role="owner").values_list("member_id", flat=True) == [first.id]
    with pytest.raises(service.OwnerExists):
        await service.bootstrap_owner(second)
