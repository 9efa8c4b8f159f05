"""`--simulators URL`: connect every platform to the simulators with their demo credentials."""

from __future__ import annotations

import importlib.util
from typing import Any

import httpx

from gateway.platform_settings import (
    HubSpotSettings,
    MailchimpSettings,
    MarketoSettings,
    SalesforceSettings,
    ShopifySettings,
)
from gateway.settings import ConfigError, Settings

SIMULATORS_DISTRIBUTION = "marketing-graph-gateway-simulators"


def require_simulators() -> None:
    """ConfigError saying what to install when the simulators are not (the production wheel
    leaves them out: docs/adr/0083-packaging.md)."""
    if importlib.util.find_spec("simulators") is None:
        raise ConfigError(
            f"the platform simulators are not installed: pip install {SIMULATORS_DISTRIBUTION} "
            "(from the repository: pip install ./simulators; `make install` does it)"
        )


def fetch_credentials(url: str, timeout: float = 5.0) -> dict[str, Any]:
    """The simulators' `/_sim/credentials`; ConfigError when they do not answer."""
    endpoint = url.rstrip("/") + "/_sim/credentials"
    try:
        response = httpx.get(endpoint, timeout=timeout)
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ConfigError(f"the simulators at {url} did not answer {endpoint}: {exc}") from exc
    if not isinstance(body, dict):
        raise ConfigError(f"{endpoint} answered something other than a JSON object")
    return body


def with_simulators(settings: Settings, url: str, credentials: dict[str, Any]) -> Settings:
    """`settings` with every platform pointed at the simulators under `url`, using the demo
    credentials they publish."""
    base = url.rstrip("/")
    hubspot = credentials.get("hubspot") or {}
    salesforce = credentials.get("salesforce") or {}
    shopify = credentials.get("shopify") or {}
    marketo = credentials.get("marketo") or {}
    mailchimp = credentials.get("mailchimp") or {}
    return settings.model_copy(
        update={
            "hubspot": HubSpotSettings(
                base_url=f"{base}/hubspot",
                private_app_token=hubspot.get("private_app_token"),
                client_id=hubspot.get("client_id"),
                client_secret=hubspot.get("client_secret"),
                authorize_url=f"{base}/hubspot/oauth/authorize",
            ),
            "salesforce": SalesforceSettings(
                login_url=f"{base}/salesforce",
                client_id=salesforce.get("client_id"),
                client_secret=salesforce.get("client_secret"),
                refresh_token=salesforce.get("refresh_token"),
            ),
            "shopify": ShopifySettings(
                base_url=f"{base}/shopify",
                access_token=shopify.get("access_token"),
                client_id=shopify.get("client_id"),
                client_secret=shopify.get("client_secret"),
            ),
            "marketo": MarketoSettings(
                base_url=f"{base}/marketo",
                client_id=marketo.get("client_id"),
                client_secret=marketo.get("client_secret"),
            ),
            "mailchimp": MailchimpSettings(
                base_url=f"{base}/mailchimp/3.0",
                api_key=mailchimp.get("api_key"),
                list_id=mailchimp.get("list_id"),
                client_id=mailchimp.get("client_id"),
                client_secret=mailchimp.get("client_secret"),
                login_url=f"{base}/mailchimp",
                webhook_secret=mailchimp.get("webhook_secret"),
            ),
        }
    )
