"""Helpers for console tests: staff members with real passwords, and a signed-in client."""

import re

import pytest

from qunshang.members.passwords import hash_password
from qunshang.testing import make_member

PASSWORD = "correct horse 42"
STAFF_ROLES = ("owner", "operator", "salesperson", "host", "finance")
ADDRESS = {"name": "王小明", "phone": "13800000000", "region": "浙江 杭州", "detail": "西湖区 1 号"}


async def staff(login: str, roles=(), **fields):
    return await make_member(login, roles=roles, password_hash=await hash_password(PASSWORD), **fields)


def csrf_of(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


async def sign_in(client, login: str, password: str = PASSWORD, next_: str = "/console"):
    page = await client.get("/console/login")
    return await client.post("/console/login", data={
        "_csrf_token": csrf_of(page.text), "login": login, "password": password, "next": next_})


async def post_form(client, url: str, data: dict | None = None, files=None):
    """POST like a browser: the CSRF token of the page's form in the body."""
    headers = await client.form_headers()
    token = headers["x-csrftoken"]
    return await client.post(url, data={"_csrf_token": token, **(data or {})}, files=files)


@pytest.fixture
async def owner_client(make_app):
    async with make_app() as client:
        client.member = await staff("owner@example.com", roles=["owner"])
        r = await sign_in(client, "owner@example.com")
        assert r.status_code == 303, r.text
        yield client
