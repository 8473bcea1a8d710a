"""The theme engine: lookup order, prefixes, theme.toml validation, discovery, static files, CLI."""

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from click.testing import CliRunner
from jinja2 import DictLoader
from markupsafe import Markup

from qunshang import i18n
from qunshang.cli import cli
from qunshang.config import Config
from qunshang.errors import ConfigError
from qunshang.hookspecs import hookimpl
from qunshang.web import themes
from qunshang.web.templates import PageEnvironment, current_locale, current_translations

from .shop import seed

SAMPLE = EntryPoint("lantern", "tests.themes.sample_theme", "qunshang.themes")


def write_theme(folder: Path, name: str, toml: str = "", templates: dict[str, str] | None = None,
                static: dict[str, str] | None = None) -> Path:
    root = folder / name
    (root / "templates").mkdir(parents=True)
    (root / "theme.toml").write_text(toml or f'name = "{name}"\nversion = "0.1.0"\nparent = "default"\n', encoding="utf-8")
    for path, text in (templates or {}).items():
        (root / "templates" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "templates" / path).write_text(text, encoding="utf-8")
    for path, text in (static or {}).items():
        (root / "static").mkdir(exist_ok=True)
        (root / "static" / path).write_text(text, encoding="utf-8")
    return root


def config(**theme) -> Config:
    return Config(theme=theme)


# --------------------------------------------------------------------------- lookup order and prefixes


async def test_deployment_override_extends_what_it_replaces(make_app, tmp_path):
    overrides = tmp_path / "overrides"
    (overrides / "core").mkdir(parents=True)
    (overrides / "core" / "product.html").write_text(
        '{% extends "core:product.html" %}{% block title %}OVERRIDDEN {{ super() }}{% endblock %}', encoding="utf-8"
    )
    async with make_app(config={"theme": {"name": "chayou", "overrides": str(overrides)}}) as client:
        shop = await seed(client.runtime)
        r = await client.get(f"/p/{shop.product.id}")
        assert "<title>OVERRIDDEN 西湖龙井 0" in r.text
        assert 'name="sku_id"' in r.text  # the rest of the original page is kept
        assert "chayou.css" in r.text  # the active theme's layout still applies


async def test_child_theme_inherits_and_overrides_only_what_it_names(make_app):
    async with make_app(config={"theme": {"name": "chayou"}}) as client:
        await seed(client.runtime)
        r = await client.get("/", headers={"Accept-Language": "zh-CN"})
        assert "/static/themes/default/style.css?v=" in r.text  # the parent's stylesheet
        assert "/static/themes/chayou/chayou.css?v=" in r.text  # plus its own
        assert "/static/themes/chayou/logo.svg?v=" in r.text  # its logo setting
        assert "当季好茶，茶友精选" in r.text and "慢慢泡，与茶友分享。" in r.text  # its own catalog
        assert "--brand: #3d6b35" in r.text
        assert r.text.index("chayou-hero") < r.text.index('class="chips"')  # its section order


async def test_a_prefix_names_one_theme_of_the_chain(make_app, tmp_path):
    write_theme(tmp_path, "mine", toml='name = "mine"\nversion = "1"\nparent = "chayou"\n', templates={
        "core/base.html": "<p id='mine-base'>{% block main %}{% endblock %}</p>",
        "core/error.html": '{% extends "chayou:core/base.html" %}{% block main %}<p id="mine">{{ message }}</p>{% endblock %}',
    })
    async with make_app(config={"theme": {"name": "mine", "folder": str(tmp_path)}}) as client:
        r = await client.get("/p/424242")
        assert r.status_code == 404 and '<p id="mine">' in r.text
        assert 'class="chayou-motto"' in r.text  # chayou's layout, by name
        assert "mine-base" not in r.text  # not mine's own base.html
        home = await client.get("/")
        assert home.text.startswith("<p id='mine-base'>")  # unprefixed names find mine's first


class SlotFiller:
    @hookimpl
    def storefront_slot(self, name, context):
        if name == "product.below":
            return Markup(f'<aside id="below">{Markup.escape(context["product"]["title"])}</aside>')
        if name == "member.dashboard":
            return "<b>plain</b>"
        return None

    @hookimpl
    def nav_items(self):
        return [{"label": "直播", "url": "/live"}]


async def test_slots_receive_the_page_context(make_app):
    async with make_app(extra_plugins=[SlotFiller()]) as client:
        shop = await seed(client.runtime, evil="<i>")
        r = await client.get(f"/p/{shop.product.id}")
        assert '<aside id="below">&lt;i&gt;西湖龙井 0</aside>' in r.text
        assert '<a href="/live">直播</a>' in r.text
        from .shop import log_in

        await log_in(client)
        me = await client.get("/me")
        assert "&lt;b&gt;plain&lt;/b&gt;" in me.text


# --------------------------------------------------------------------------- theme.toml and settings


@pytest.mark.parametrize("settings, message", [
    ({"primary_color": "red"}, "theme 'default': settings.primary_color: String should match pattern"),
    ({"home_sections": ["hero", "hero"]}, "theme 'default': settings.home_sections: Value error, each section may appear once"),
    ({"home_sections": ["banner"]}, "theme 'default': settings.home_sections.0: Input should be"),
    ({"products_per_page": 1000}, "theme 'default': settings.products_per_page: Input should be less than or equal to 60"),
    ({"colour": "#ffffff"}, "theme 'default': settings.colour: Extra inputs are not permitted"),
    ({"logo": "../../etc/passwd"}, "theme 'default': settings.logo: Value error, logo must be a path inside"),
    ({"logo": "missing.svg"}, "theme 'default': settings.logo: missing.svg is not in the theme's static/ folder"),
])
def test_invalid_settings_stop_startup_with_one_line(settings, message):
    with pytest.raises(ConfigError) as err:
        themes.activate(config(settings=settings))
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_settings_merge_parent_child_then_deployment():
    active = themes.activate(config(name="chayou", settings={"accent_color": "#000000"}))
    assert [t.name for t in active.chain] == ["chayou", "default"]
    assert active.settings.primary_color == "#3d6b35"  # chayou's
    assert active.settings.accent_color == "#000000"  # the deployment's
    assert active.settings.products_per_page == 12


@pytest.mark.parametrize("toml, message", [
    ('name = "Bad Name"\nversion = "1"\n', "name must match"),
    ('name = "core"\nversion = "1"\n', "not be 'core'"),
    ('name = "x1"\n', "version is required"),
    ('name = "x1"\nversion = "1"\ncolour = 1\n', "unknown key 'colour'"),
    ('name = "x1"\nversion = "1"\nsettings = 3\n', "[settings] must be a table"),
    ("name = ", "not a readable theme.toml"),
])
def test_malformed_theme_toml(tmp_path, toml, message):
    write_theme(tmp_path, "x1", toml=toml)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        themes.discover(config(folder=str(tmp_path)))


def test_unknown_theme_missing_parent_and_loops(tmp_path):
    with pytest.raises(ConfigError, match=r"^theme.name: 'nope', which is not installed \(installed: chayou, default\)$"):
        themes.activate(config(name="nope"))
    write_theme(tmp_path, "orphan", toml='name = "orphan"\nversion = "1"\nparent = "ghost"\n')
    write_theme(tmp_path, "ping", toml='name = "ping"\nversion = "1"\nparent = "pong"\n')
    write_theme(tmp_path, "pong", toml='name = "pong"\nversion = "1"\nparent = "ping"\n')
    with pytest.raises(ConfigError, match="theme 'orphan' has parent 'ghost', which is not installed"):
        themes.activate(config(name="orphan", folder=str(tmp_path)))
    with pytest.raises(ConfigError, match="its parents form a loop"):
        themes.activate(config(name="ping", folder=str(tmp_path)))


async def test_a_bad_theme_stops_the_app_from_building(make_app):
    with pytest.raises(ConfigError, match="settings.accent_color"):
        async with make_app(config={"theme": {"settings": {"accent_color": "#12345"}}}):
            pass


# --------------------------------------------------------------------------- discovery


def test_themes_are_discovered_from_package_entry_points_and_folder(tmp_path):
    write_theme(tmp_path, "local")
    found = themes.discover(config(folder=str(tmp_path)), eps=[SAMPLE])
    assert {name: t.source for name, t in found.items()} == {
        "chayou": "package", "default": "package", "lantern": "entry point lantern", "local": "deployment",
    }
    active = themes.activate(config(name="lantern"), eps=[SAMPLE])
    assert [t.name for t in active.chain] == ["lantern", "chayou", "default"]
    assert active.settings.primary_color == "#aa3300" and active.settings.logo == "logo.svg"


def test_an_entry_point_must_name_its_theme(tmp_path):
    with pytest.raises(ConfigError, match="points to a theme named 'lantern'"):
        themes.discover(config(), eps=[EntryPoint("other", "tests.themes.sample_theme", "qunshang.themes")])
    with pytest.raises(ConfigError, match="failed to import"):
        themes.discover(config(), eps=[EntryPoint("gone", "tests.themes.no_such_module", "qunshang.themes")])


def test_a_folder_theme_cannot_replace_a_packaged_one(tmp_path):
    write_theme(tmp_path, "default", toml='name = "default"\nversion = "9"\n')
    assert themes.discover(config(folder=str(tmp_path)))["default"].source == "package"


def test_cli_lists_themes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_theme(tmp_path / "themes", "local")
    (tmp_path / "qunshang.toml").write_text('[theme]\nname = "chayou"\nfolder = "themes"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["themes", "list"])
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 3}
    assert "yes" in lines["chayou"] and "default" in lines["chayou"] and "deployment" in lines["local"]
    (tmp_path / "qunshang.toml").write_text('[theme]\nname = "nope"\n', encoding="utf-8")
    assert CliRunner().invoke(cli, ["themes", "list"]).exit_code == 1


# --------------------------------------------------------------------------- static files


async def test_static_urls_carry_content_hashes_and_cache_for_a_year(make_app):
    async with make_app(config={"theme": {"name": "chayou"}}) as client:
        page = await client.get("/")
        url = page.text.split('href="/static/themes/chayou/chayou.css?v=')[1].split('"')[0]
        r = await client.get(f"/static/themes/chayou/chayou.css?v={url}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        stale = await client.get("/static/themes/chayou/chayou.css?v=old")
        assert stale.headers["cache-control"] == "public, max-age=300"
        again = await client.get(f"/static/themes/chayou/chayou.css?v={url}", headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304
        logo = await client.get("/static/themes/chayou/logo.svg")
        assert "default-src 'none'" in logo.headers["content-security-policy"]
        for path in ("/static/themes/chayou/nope.css", "/static/themes/chayou/../../theme.toml",
                     "/static/themes/chayou/%2e%2e/theme.toml", "/static/themes/ghost/style.css"):
            assert (await client.get(path)).status_code == 404, path
        assert "set-cookie" not in r.headers  # no session, no CSRF cookie for static files


async def test_changed_file_gets_a_new_url(make_app, tmp_path):
    root = write_theme(tmp_path, "mine", static={"style.css": "body { color: red }"})
    async with make_app(config={"theme": {"name": "mine", "folder": str(tmp_path)}}) as client:
        first = client.runtime.state["assets"].url("style.css")
    (root / "static" / "style.css").write_text("body { color: blue }", encoding="utf-8")
    async with make_app(config={"theme": {"name": "mine", "folder": str(tmp_path)}}) as client:
        second = client.runtime.state["assets"].url("style.css")
    assert first.split("?")[0] == second.split("?")[0] == "/static/themes/mine/style.css"
    assert first != second


async def test_unknown_static_name_fails_loudly(client):
    with pytest.raises(LookupError, match="static file not found: nope.css"):
        client.runtime.state["assets"].url("nope.css")
    assert client.runtime.state["assets"].url("core:app.js").startswith("/static/core/app.js?v=")


# --------------------------------------------------------------------------- gettext in templates


def test_page_gettext_keeps_jinja_newstyle_semantics():
    """Translations are trusted markup, their parameters are escaped, and ``%%`` is a percent
    sign with or without parameters (as with Jinja's own newstyle gettext)."""
    env = PageEnvironment(loader=DictLoader({
        "page.html": '{{ _("Hello %(name)s", name=who) }}|{{ _("100%% cotton") }}|{{ _("%(n)s%% off", n=5) }}|'
                     '{{ ngettext("%(num)s item", "%(num)s items", count) }}|{{ _("Log in") }}|{{ who }}',
    }))
    token = current_translations.set(i18n.translations("zh_CN"))
    try:
        html = env.get_template("page.html").render(who="<script>x</script>", count=3)
    finally:
        current_translations.reset(token)
    assert html == ("Hello &lt;script&gt;x&lt;/script&gt;|100% cotton|5% off|3 items|登录|"
                    "&lt;script&gt;x&lt;/script&gt;")


def test_page_templates_see_the_environment_globals_and_their_own():
    env = PageEnvironment(loader=DictLoader({"page.html": "{{ shop }} {{ per_render }}"}))
    env.globals["shop"] = "茶友会"
    assert env.get_template("page.html").render(per_render=1) == "茶友会 1"
    assert env.from_string("{{ shop }}", globals={"shop": "own"}).render() == "own"


class _CountingCatalog:
    def __init__(self, locale: str) -> None:
        self.locale, self.looked_up = locale, []

    def gettext(self, message: str) -> str:
        self.looked_up.append(message)
        return f"[{self.locale}] {message}"


def test_constant_texts_are_translated_once_per_language_when_compiled():
    catalogs = {locale: _CountingCatalog(locale) for locale in ("zh_CN", "en")}
    env = PageEnvironment(translations=catalogs.__getitem__, loader=DictLoader({
        "page.html": '{% extends "base.html" %}{% block main %}{{ _("Cart") }}|{{ _("%(n)s left", n=2) }}'
                     '|{{ _("100%% tea") }}{% endblock %}',
        "base.html": '<title>{{ _("Shop") }}</title>{% block main %}{% endblock %}',
    }))

    def render(locale: str) -> str:
        tokens = current_locale.set(locale), current_translations.set(catalogs[locale])
        try:
            return env.get_template("page.html").render()
        finally:
            current_locale.reset(tokens[0])
            current_translations.reset(tokens[1])

    for _ in range(2):
        assert render("zh_CN") == "<title>[zh_CN] Shop</title>[zh_CN] Cart|[zh_CN] 2 left|[zh_CN] 100% tea"
        assert render("en") == "<title>[en] Shop</title>[en] Cart|[en] 2 left|[en] 100% tea"
    for catalog in catalogs.values():  # constants once, when compiled; the others at every render
        assert sorted(catalog.looked_up) == sorted(["Shop", "Cart", "100%% tea"] + ["%(n)s left", "100%% tea"] * 2)
