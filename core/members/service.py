"""Member services: registration, login, levels, staff roles, tags, accounts and API tokens.

Logins are a mainland China mobile number (stored as its 11 digits) or an e-mail address
(stored lower-case). Passwords are hashed with argon2id off the event loop
(:mod:`.passwords`); login attempts are limited per login and per IP (:mod:`.throttle`).
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from litestar.stores.base import Store
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied, QunshangError
from ..web.auth import token_digest
from . import passwords, throttle
from .models import ApiToken, Level, Member, MemberRole, MemberTag
from .text import clean_text

if TYPE_CHECKING:
    from ..runtime import Runtime

ROLES = ("owner", "operator", "salesperson", "host", "finance")
OWNER = "owner"
SOURCES = frozenset({"link", "livestream", "group_qr", "salesperson_invite", "poster", "direct"})
CONTEXT_KEYS = ("source", "referral_code", "sales_code", "invite_code", "channel")
CONTEXT_VALUE_MAX = 64
LOCALES = ("zh_CN", "en")
PASSWORD_LENGTH = (8, 128)
NAME_MAX = 64
TAG_MAX = 32
TOKEN_NAME_MAX = 64
MAX_ACTIVE_TOKENS = 20
TOKEN_PREFIX = "qs_"

_PHONE = re.compile(r"1[3-9][0-9]{9}")
_EMAIL = re.compile(r"[a-z0-9._%+-]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,63}")
_PHONE_SEPARATORS = re.compile(r"[\s()-]")


class InvalidLogin(InvalidInput):
    code = "invalid_login"
    message = "Enter a mainland China mobile number or an e-mail address."


class WeakPassword(InvalidInput):
    code = "weak_password"
    message = "The password must be {min} to {max} characters long."


class LoginTaken(Conflict):
    code = "login_taken"
    message = "This mobile number or e-mail address is already registered."


class InvalidCredentials(QunshangError):
    status_code = 401
    code = "invalid_credentials"
    message = "The login or the password is not correct."


class AccountDisabled(PermissionDenied):
    code = "account_disabled"
    message = "This account has been disabled."


class UnknownRole(InvalidInput):
    code = "unknown_role"
    message = "Unknown role: {role}."


class OwnerExists(Conflict):
    code = "owner_exists"
    message = "This deployment already has an owner."


class OwnerRequired(PermissionDenied):
    code = "owner_required"
    message = "Only an owner can do this."


class LastOwner(Conflict):
    code = "last_owner"
    message = "The last owner cannot be removed."


class CannotDisableSelf(Conflict):
    code = "cannot_disable_self"
    message = "You cannot disable your own account."


class LevelChanged(Conflict):
    code = "level_changed"
    message = "The level was changed by someone else. Please try again."


class TooManyTokens(Conflict):
    code = "too_many_tokens"
    message = "You already have {limit} API tokens. Revoke one first."


# --------------------------------------------------------------------------- input rules


def normalise_login(raw: str) -> str:
    """A phone number as 11 digits (``+86`` and separators dropped) or a lower-case e-mail."""
    text = raw.strip() if isinstance(raw, str) else ""
    if "@" in text:
        email = text.lower()
        if len(email) > 128 or not _EMAIL.fullmatch(email):
            raise InvalidLogin()
        return email
    digits = _PHONE_SEPARATORS.sub("", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    if not _PHONE.fullmatch(digits):
        raise InvalidLogin()
    return digits


def check_password(password: str) -> None:
    low, high = PASSWORD_LENGTH
    if not isinstance(password, str) or not low <= len(password) <= high:
        raise WeakPassword(min=low, max=high)


def clean_context(context: dict[str, Any] | None) -> dict[str, str]:
    """Keep the known registration keys with text values, trimmed and capped; drop the rest.

    The context comes from links and is not verified: an unknown ``source`` is dropped rather
    than refusing the registration.
    """
    cleaned: dict[str, str] = {}
    for key in CONTEXT_KEYS:
        value = (context or {}).get(key)
        if not isinstance(value, str):
            continue
        value = "".join(ch for ch in value.strip() if ch.isprintable())[:CONTEXT_VALUE_MAX]
        if value and (key != "source" or value in SOURCES):
            cleaned[key] = value
    return cleaned


def check_locale(locale: str | None) -> str | None:
    if locale is not None and locale not in LOCALES:
        raise InvalidInput(detail="locale must be one of {choices}", choices=", ".join(LOCALES))
    return locale


def normalise_tag(tag: str) -> str:
    return " ".join(clean_text(tag, "tag", max_length=TAG_MAX).lower().split())


# --------------------------------------------------------------------------- accounts


async def register(
    runtime: Runtime,
    *,
    login: str,
    password: str,
    display_name: str,
    locale: str | None = None,
    context: dict[str, Any] | None = None,
) -> Member:
    """Create a member and fire ``member_registered`` inside the same transaction."""
    login = normalise_login(login)
    check_password(password)
    name = clean_text(display_name, "display_name", max_length=NAME_MAX)
    check_locale(locale)
    via = clean_context(context)
    if await Member.exists(login=login):
        raise LoginTaken()
    password_hash = await passwords.hash_password(password)
    try:
        async with in_transaction():
            member = await Member.create(
                login=login, password_hash=password_hash, display_name=name, locale=locale, registered_via=via
            )
            await runtime.call("member_registered", member=member, context=dict(via))
    except IntegrityError:  # registered concurrently
        raise LoginTaken() from None
    return member


async def authenticate(runtime: Runtime, store: Store, login: str, password: str, ip: str) -> Member:
    """The member with these credentials; counts the attempt against the login and the IP.

    Unknown logins and wrong passwords fail alike and take as long (a dummy hash is checked).
    """
    try:
        login = normalise_login(login)
    except InvalidLogin:
        login = str(login).strip().lower()
    keys = [throttle.login_key(login), throttle.ip_key(ip)]
    await throttle.reserve(runtime, store, _limits(runtime, keys))
    member = await Member.get_or_none(login=login)
    matches, needs_rehash = await passwords.verify_password(member.password_hash if member else None, password)
    if not matches or member is None:
        raise InvalidCredentials()
    await throttle.clear(runtime, store, keys[0])
    await throttle.give_back(runtime, store, keys[1])
    if not member.is_active:
        raise AccountDisabled()
    member.last_login_at = runtime.now()
    changes: dict[str, Any] = {"last_login_at": member.last_login_at}
    if needs_rehash:
        member.password_hash = changes["password_hash"] = await passwords.hash_password(password)
    await Member.filter(id=member.id).update(**changes)
    return member


async def change_password(runtime: Runtime, store: Store, member: Member, current: str, new: str, ip: str) -> None:
    """Replace the password after checking the current one (attempts are limited like logins)."""
    check_password(new)
    keys = [throttle.login_key(member.login), throttle.ip_key(ip)]
    await throttle.reserve(runtime, store, _limits(runtime, keys))
    matches, _ = await passwords.verify_password(member.password_hash, current)
    if not matches:
        raise InvalidCredentials()
    await throttle.give_back(runtime, store, keys[0])
    await throttle.give_back(runtime, store, keys[1])
    member.password_hash = await passwords.hash_password(new)
    await Member.filter(id=member.id).update(password_hash=member.password_hash)


def _limits(runtime: Runtime, keys: list[str]) -> dict[str, int]:
    login_key, ip_key = keys
    security = runtime.config.security
    return {login_key: security.login_max_failures, ip_key: security.login_max_failures_per_ip}


async def update_profile(member: Member, **changes: Any) -> Member:
    """Change ``display_name`` and/or ``locale`` (``None`` follows the browser's language)."""
    unknown = set(changes) - {"display_name", "locale"}
    if unknown:
        raise InvalidInput(detail="unknown fields {fields}", fields=", ".join(sorted(unknown)))
    if "display_name" in changes:
        changes["display_name"] = clean_text(changes["display_name"], "display_name", max_length=NAME_MAX)
    if "locale" in changes:
        check_locale(changes["locale"])
    if changes:
        await Member.filter(id=member.id).update(**changes)
        for field, value in changes.items():
            setattr(member, field, value)
    return member


async def set_active(actor: Member, member_id: int, active: bool) -> Member:
    """Disable or re-enable an account: a disabled member's sessions and tokens stop working."""
    member = await get_member(member_id)
    if not active:
        if member.id == actor.id:
            raise CannotDisableSelf()
        if await _holds(member.id, OWNER) and not await _holds(actor.id, OWNER):
            raise OwnerRequired()
    await Member.filter(id=member.id).update(is_active=active)
    member.is_active = active
    return member


async def set_level(runtime: Runtime, member: Member, new_level: str, reason: str) -> Member:
    """Move a member's level and fire ``member_level_changed``; nothing happens if unchanged."""
    try:
        level = Level(new_level)
    except ValueError:
        raise InvalidInput(detail="unknown level {level}", level=repr(new_level)) from None
    reason = clean_text(reason, "reason", max_length=200)
    async with in_transaction():
        current = await Member.filter(id=member.id).first().values_list("level", flat=True)
        if current is None:
            raise NotFound()
        old = Level(current)
        if old != level:
            if not await Member.filter(id=member.id, level=old).update(level=level):
                raise LevelChanged()
            member.level = level
            await runtime.call(
                "member_level_changed", member=member, old_level=old.value, new_level=level.value, reason=reason
            )
    member.level = level
    return member


# --------------------------------------------------------------------------- roles and tags


def known_roles(runtime: Runtime) -> set[str]:
    """The core roles plus any role a plugin grants permissions to."""
    return set(ROLES) | set(runtime.state["permissions"])


async def bootstrap_owner(member: Member) -> None:
    """Make ``member`` the first owner of a new deployment; refused once any owner exists."""
    async with in_transaction():
        if await MemberRole.exists(role=OWNER):
            raise OwnerExists()
        await MemberRole.create(member_id=member.id, role=OWNER)


async def grant_role(runtime: Runtime, actor: Member, member: Member, role: str) -> None:
    if role not in known_roles(runtime):
        raise UnknownRole(role=role)
    if role == OWNER and not await _holds(actor.id, OWNER):
        raise OwnerRequired()
    if not await _holds(member.id, role):
        try:
            async with in_transaction():
                await MemberRole.create(member_id=member.id, role=role)
        except IntegrityError:  # granted concurrently
            pass


async def revoke_role(runtime: Runtime, actor: Member, member: Member, role: str) -> None:
    async with in_transaction():
        if role == OWNER:
            if not await _holds(actor.id, OWNER):
                raise OwnerRequired()
            owners = [o.member_id for o in await MemberRole.filter(role=OWNER).select_for_update()]
            active = set(await Member.filter(id__in=owners, is_active=True).values_list("id", flat=True))
            if member.id in owners and not active - {member.id}:
                raise LastOwner()
        await MemberRole.filter(member_id=member.id, role=role).delete()


async def set_roles(runtime: Runtime, actor: Member, member_id: int, roles: list[str]) -> list[str]:
    """Make ``roles`` exactly the member's staff roles; all or nothing."""
    wanted = set(roles)
    async with in_transaction():
        member = await get_member(member_id)
        held = set(await MemberRole.filter(member_id=member.id).values_list("role", flat=True))
        for role in sorted(wanted - held):
            await grant_role(runtime, actor, member, role)
        for role in sorted(held - wanted):
            await revoke_role(runtime, actor, member, role)
    return sorted(wanted)


async def add_tag(member_id: int, tag: str) -> list[str]:
    tag = normalise_tag(tag)
    member = await get_member(member_id)
    if not await MemberTag.exists(member_id=member.id, tag=tag):
        try:
            async with in_transaction():
                await MemberTag.create(member_id=member.id, tag=tag)
        except IntegrityError:  # tagged concurrently
            pass
    return await member_tags(member.id)


async def remove_tag(member_id: int, tag: str) -> list[str]:
    member = await get_member(member_id)
    await MemberTag.filter(member_id=member.id, tag=normalise_tag(tag)).delete()
    return await member_tags(member.id)


async def member_roles(member_id: int) -> list[str]:
    return sorted(await MemberRole.filter(member_id=member_id).values_list("role", flat=True))


async def member_tags(member_id: int) -> list[str]:
    return sorted(await MemberTag.filter(member_id=member_id).values_list("tag", flat=True))


# --------------------------------------------------------------------------- API tokens


async def create_token(member: Member, name: str) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned here once and only its SHA-256 is kept."""
    name = clean_text(name, "name", max_length=TOKEN_NAME_MAX)
    if await ApiToken.filter(member_id=member.id, revoked_at=None).count() >= MAX_ACTIVE_TOKENS:
        raise TooManyTokens(limit=MAX_ACTIVE_TOKENS)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = await ApiToken.create(member_id=member.id, name=name, token_hash=token_digest(secret), prefix=secret[:10])
    return token, secret


async def list_tokens(member: Member) -> list[dict[str, Any]]:
    return await ApiToken.filter(member_id=member.id).order_by("-id").values(
        "id", "name", "prefix", "created_at", "last_used_at", "revoked_at"
    )


async def revoke_token(runtime: Runtime, member: Member, token_id: int) -> None:
    """Revoke one of ``member``'s tokens (idempotent); another member's token is not found."""
    if not await ApiToken.exists(id=token_id, member_id=member.id):
        raise NotFound()
    await ApiToken.filter(id=token_id, member_id=member.id, revoked_at=None).update(revoked_at=runtime.now())


# --------------------------------------------------------------------------- staff views

MEMBER_FIELDS = ("id", "login", "display_name", "level", "is_active", "locale", "created_at", "last_login_at")


async def list_members(
    *,
    q: str | None = None,
    tag: str | None = None,
    level: str | None = None,
    role: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """A page of members for staff, newest first, with their roles and tags (three queries)."""
    query = Member.all()
    if q:
        query = query.filter(Q(login__icontains=q.strip()) | Q(display_name__icontains=q.strip()))
    if tag:
        query = query.filter(tags__tag=normalise_tag(tag))
    if level:
        query = query.filter(level=level)
    if role:
        query = query.filter(roles__role=role)
    rows = await query.order_by("-id").offset(offset).limit(limit + 1).values(*MEMBER_FIELDS)
    has_more = len(rows) > limit
    rows = rows[:limit]
    ids = [r["id"] for r in rows]
    roles: dict[int, list[str]] = {}
    for member_id, name in await MemberRole.filter(member_id__in=ids).order_by("role").values_list("member_id", "role"):
        roles.setdefault(member_id, []).append(name)
    tags: dict[int, list[str]] = {}
    for member_id, name in await MemberTag.filter(member_id__in=ids).order_by("tag").values_list("member_id", "tag"):
        tags.setdefault(member_id, []).append(name)
    items = [{**r, "roles": roles.get(r["id"], []), "tags": tags.get(r["id"], [])} for r in rows]
    return {"items": items, "limit": limit, "offset": offset, "has_more": has_more}


async def member_detail(member_id: int) -> dict[str, Any]:
    member = await get_member(member_id)
    return {
        **{field: getattr(member, field) for field in MEMBER_FIELDS},
        "registered_via": member.registered_via,
        "roles": await member_roles(member.id),
        "tags": await member_tags(member.id),
    }


# --------------------------------------------------------------------------- helpers


async def get_member(member_id: int) -> Member:
    member = await Member.get_or_none(id=member_id)
    if member is None:
        raise NotFound()
    return member


async def _holds(member_id: int, role: str) -> bool:
    return await MemberRole.exists(member_id=member_id, role=role)
