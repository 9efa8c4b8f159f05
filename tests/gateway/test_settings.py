from __future__ import annotations

from pathlib import Path

import pytest

from canonical_schema import Platform
from gateway.settings import ConfigError, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("MGW_HUBSPOT__PRIVATE_APP_TOKEN", "MGW_PLATFORMS", "MGW_DATABASE_URL", "MGW_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_need_no_services() -> None:
    settings = Settings()
    assert settings.database_url.startswith("sqlite+aiosqlite:")
    assert settings.redis_url is None
    assert settings.hubspot.base_url == "https://api.hubapi.com"


def test_environment_overrides_toml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "mgw.toml").write_text(
        'port = 8100\n[hubspot]\nprivate_app_token = "pat-from-toml"\nbase_url = "http://h"\n'
    )
    monkeypatch.setenv("MGW_PORT", "8200")
    settings = Settings()
    assert settings.port == 8200
    assert settings.hubspot.base_url == "http://h"
    assert settings.hubspot.private_app_token is not None
    assert settings.hubspot.private_app_token.get_secret_value() == "pat-from-toml"
    assert settings.connected_platforms() == (Platform.HUBSPOT,)
    assert "pat-from-toml" not in repr(settings)


def test_mgw_config_names_another_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "other.toml").write_text("port = 8300\n")
    monkeypatch.setenv("MGW_CONFIG", str(tmp_path / "other.toml"))
    assert Settings().port == 8300


def test_nothing_configured_says_what_to_set() -> None:
    with pytest.raises(ConfigError, match="MGW_HUBSPOT__PRIVATE_APP_TOKEN"):
        Settings().connected_platforms()


def test_a_selected_platform_must_be_configured_and_known() -> None:
    with pytest.raises(ValueError, match="unknown platform"):
        Settings(platforms="hubspot,myspace")
    with pytest.raises(ConfigError, match="hubspot is selected but has no credentials"):
        Settings(platforms="hubspot").connected_platforms()


def test_unknown_settings_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "mgw.toml").write_text("prot = 1\n")
    with pytest.raises(ValueError, match="prot"):
        Settings()


def test_the_cache_follows_redis_unless_told_otherwise() -> None:
    assert Settings().cache_backend() == "memory"
    assert Settings(redis_url="redis://127.0.0.1:6379/0").cache_backend() == "redis"
    assert Settings(redis_url="redis://127.0.0.1:6379/0", cache="off").cache_backend() == "off"
    with pytest.raises(ConfigError, match="needs MGW_REDIS_URL"):
        Settings(cache="redis").cache_backend()


def test_a_merge_policy_names_real_platforms_and_fields() -> None:
    from gateway.settings import MergeSettings

    assert MergeSettings(default="salesforce,hubspot").policy().default.platforms == (  # type: ignore[union-attr]
        Platform.SALESFORCE,
        Platform.HUBSPOT,
    )
    with pytest.raises(ConfigError, match="neither `recent` nor a list of platforms"):
        MergeSettings(default="myspace").policy()
    with pytest.raises(ConfigError, match="no such merged field"):
        MergeSettings(fields={"shoe_size": "recent"}).policy()


def test_every_secret_is_known_for_redaction() -> None:
    from connectors.hubspot.settings import HubSpotSettings
    from connectors.mailchimp.settings import MailchimpSettings

    settings = Settings(
        hubspot=HubSpotSettings(private_app_token="pat-secret-1"),
        mailchimp=MailchimpSettings(api_key="key-secret-2-us21", list_id="l1"),
        secret_key="vault key long enough",
        secret_key_previous="old-key-1,old-key-2",
    )
    assert set(settings.secret_values()) >= {
        "pat-secret-1",
        "key-secret-2-us21",
        "vault key long enough",
        "old-key-1",
        "old-key-2",
    }
