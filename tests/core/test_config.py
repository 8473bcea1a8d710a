import pytest

from qunshang.config import load_config
from qunshang.errors import ConfigError
from qunshang.i18n import negotiate


def test_file_then_environment(tmp_path, monkeypatch):
    path = tmp_path / "qunshang.toml"
    path.write_text('[database]\nurl = "sqlite://a.db"\n[orders]\nshipping_fee = 500\n', encoding="utf-8")
    assert load_config(path).orders.shipping_fee == 500
    monkeypatch.setenv("QUNSHANG_ORDERS__SHIPPING_FEE", "800")
    config = load_config(path)
    assert config.orders.shipping_fee == 800
    assert config.database.url == "sqlite://a.db"


def test_invalid_value_is_one_clear_line(tmp_path):
    path = tmp_path / "qunshang.toml"
    path.write_text("[orders]\nshipping_fee = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert "\n" not in message and "orders.shipping_fee" in message


def test_unknown_setting_is_refused(tmp_path):
    path = tmp_path / "qunshang.toml"
    path.write_text("[orders]\nshiping_fee = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="orders.shiping_fee"):
        load_config(path)


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_bad_toml_is_an_error(tmp_path):
    path = tmp_path / "qunshang.toml"
    path.write_text("[orders\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


@pytest.mark.parametrize(
    ("preferred", "header", "expected"),
    [
        ("en", "zh-CN", "en"),
        (None, "fr-FR,en;q=0.8,zh;q=0.9", "zh_CN"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "fr", "zh_CN"),
        (None, None, "zh_CN"),
        ("xx", "en", "en"),
        (None, "zh-Hans-CN", "zh_CN"),
    ],
)
def test_language_negotiation(preferred, header, expected):
    assert negotiate(preferred, header, "zh_CN") == expected


def test_a_plugin_block_must_be_a_table(tmp_path):
    path = tmp_path / "qunshang.toml"
    path.write_text("[plugins]\nmember_price = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[plugins.member_price\] must be a table"):
        load_config(path)
