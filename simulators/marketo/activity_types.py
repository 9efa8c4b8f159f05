"""The standard activity types this instance logs, and how one logged row renders.

Shapes follow the Activity and LeadChange definitions of Marketo's Swagger: `primaryAttributeValue`
names the asset (an email's, a page's, a form's), secondary attributes are `{name, value}`.
Email activities name the shared world's sent campaigns, e.g. "Spring Sale 2025 - Email".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulators.core.people import LEAD_STATUSES
from simulators.core.world import Campaign
from simulators.marketo.activity_log import (
    CHANGE_DATA_VALUE,
    CHANGE_SCORE,
    CLICK_EMAIL,
    FILL_OUT_FORM,
    NEW_LEAD,
    OPEN_EMAIL,
    SEND_EMAIL,
    VISIT_WEBPAGE,
    Change,
    Row,
)
from simulators.marketo.fields import DISPLAY, FIELD_IDS, iso_s

SITE = "www.sim-outfitters.com"
PAGES = ("/", "/pricing", "/features", "/blog/five-tips", "/customers", "/contact", "/demo")
FORMS = ("Contact Us", "Newsletter Signup", "Demo Request", "Webinar Registration")
SOURCES = ("Web form fillout", "List import", "Web service API", "Salesforce.com")
SCORE_REASONS = ("Visited pricing page", "Opened email", "Filled out form", "Inactivity decay")
_AGENTS = (
    ("Desktop", False, "Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"),
    ("iPhone", True, "iOS", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)"),
    ("Desktop", False, "Mac OS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)"),
)

_EMAIL_ATTRS = ("Campaign Run ID", "Choice Number", "Step ID")
TYPES: dict[int, tuple[str, str, tuple[str, str], tuple[str, ...]]] = {
    # id: (name, description, (primary attribute, its data type), secondary attributes)
    VISIT_WEBPAGE: (
        "Visit Webpage",
        "User visits a web page",
        ("Webpage ID", "integer"),
        ("Client IP Address", "Query Parameters", "Referrer URL", "User Agent", "Webpage URL"),
    ),
    FILL_OUT_FORM: (
        "Fill Out Form",
        "User fills out and submits form on web page",
        ("Webform ID", "integer"),
        (
            "Client IP Address",
            "Form Fields",
            "Query Parameters",
            "Referrer URL",
            "User Agent",
            "Webpage ID",
        ),
    ),
    SEND_EMAIL: (
        "Send Email",
        "Send Marketo Email to a person",
        ("Mailing ID", "integer"),
        _EMAIL_ATTRS,
    ),
    OPEN_EMAIL: (
        "Open Email",
        "User opens Marketo Email",
        ("Mailing ID", "integer"),
        ("Device", "Is Mobile Device", "Platform", "User Agent", *_EMAIL_ATTRS),
    ),
    CLICK_EMAIL: (
        "Click Email",
        "User clicks on a link in a Marketo Email",
        ("Mailing ID", "integer"),
        ("Device", "Is Mobile Device", "Link", "Platform", "User Agent", *_EMAIL_ATTRS),
    ),
    NEW_LEAD: (
        "New Lead",
        "New person",
        ("Lead ID", "integer"),
        ("Source Type", "Form Name", "List Name"),
    ),
    CHANGE_DATA_VALUE: (
        "Change Data Value",
        "Changed attribute value for a person",
        ("Attribute Name", "integer"),
        ("New Value", "Old Value", "Reason", "Source"),
    ),
    CHANGE_SCORE: (
        "Change Score",
        "Change a person's score",
        ("Score Name", "integer"),
        ("Change Value", "New Value", "Old Value", "Reason"),
    ),
}


def type_catalog() -> list[dict[str, Any]]:
    return [
        {
            "id": type_id,
            "name": name,
            "description": description,
            "primaryAttribute": {"name": primary[0], "dataType": primary[1]},
            "attributes": [{"name": attr, "dataType": "string"} for attr in attrs],
        }
        for type_id, (name, description, primary, attrs) in sorted(TYPES.items())
    ]


def _attrs(pairs: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _email(row: Row, campaign: Campaign) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    primary = {
        "primaryAttributeValueId": 3000 + campaign.index,
        "primaryAttributeValue": f"{campaign.name} - Email",
        "campaignId": 5000 + campaign.index,
    }
    run = [("Campaign Run ID", 7000 + campaign.index), ("Choice Number", 0), ("Step ID", 1)]
    if row.type_id == SEND_EMAIL:
        return primary, run
    device, mobile, platform, agent = _AGENTS[row.index % len(_AGENTS)]
    seen = [("Device", device), ("Is Mobile Device", mobile), ("Platform", platform)]
    if row.type_id == CLICK_EMAIL:
        seen.append(("Link", f"https://{SITE}/offers?utm_campaign={campaign.utm}"))
    return primary, [*seen, ("User Agent", agent), *run]


def change_of(row: Row, changes: dict[int, Change]) -> Change:
    """The field change a Change Data Value row holds (seeded rows: a Lead Status change)."""
    if row.index in changes:
        return changes[row.index]
    old, new = divmod(row.detail, 8)
    return Change("leadStatus", LEAD_STATUSES[old], LEAD_STATUSES[new], "Marketo Flow Action")


def render(row: Row, campaigns: Sequence[Campaign], changes: dict[int, Change]) -> dict[str, Any]:
    """One activity as `GET /rest/v1/activities.json` answers it."""
    body: dict[str, Any] = {
        "id": row.id,
        "marketoGUID": str(row.id),
        "leadId": row.lead_id,
        "activityDate": iso_s(row.date_ms),
        "activityTypeId": row.type_id,
    }
    ip = f"203.0.113.{row.index % 254 + 1}"
    extra: dict[str, Any] = {}
    pairs: list[tuple[str, Any]]
    if row.type_id in (SEND_EMAIL, OPEN_EMAIL, CLICK_EMAIL):
        extra, pairs = _email(row, campaigns[row.detail])
    elif row.type_id == VISIT_WEBPAGE:
        page, utm = divmod(row.detail, 100)
        query = f"utm_source=email&utm_medium=email&utm_campaign={campaigns[utm - 1].utm}"
        extra = {
            "primaryAttributeValueId": 1000 + page,
            "primaryAttributeValue": SITE + PAGES[page],
        }
        pairs = [
            ("Client IP Address", ip),
            ("Query Parameters", query if utm else ""),
            ("Referrer URL", ""),
            ("User Agent", _AGENTS[row.index % 3][3]),
            ("Webpage URL", PAGES[page]),
        ]
    elif row.type_id == FILL_OUT_FORM:
        form, page = divmod(row.detail, 100)
        extra = {"primaryAttributeValueId": 2000 + form, "primaryAttributeValue": FORMS[form]}
        referrer = f"https://{SITE}{PAGES[page]}"
        agent = _AGENTS[row.index % 3][3]
        pairs = [
            ("Client IP Address", ip),
            ("Form Fields", '{"Email":"","FirstName":""}'),
            ("Query Parameters", ""),
            ("Referrer URL", referrer),
            ("User Agent", agent),
            ("Webpage ID", 1000 + page),
        ]
    elif row.type_id == NEW_LEAD:
        extra = {"primaryAttributeValueId": row.lead_id, "primaryAttributeValue": str(row.lead_id)}
        pairs = [("Source Type", SOURCES[row.detail])]
    elif row.type_id == CHANGE_DATA_VALUE:
        change = change_of(row, changes)
        extra = {
            "primaryAttributeValueId": FIELD_IDS[change.field],
            "primaryAttributeValue": DISPLAY.get(change.field, change.field),
        }
        pairs = [
            ("New Value", change.new),
            ("Old Value", change.old),
            ("Reason", "Changed by " + change.source),
            ("Source", change.source),
        ]
    else:  # CHANGE_SCORE
        new, delta = row.detail // 1000, row.detail % 1000 - 500
        extra = {"primaryAttributeValueId": 48, "primaryAttributeValue": "Lead Score"}
        pairs = [
            ("Change Value", f"{delta:+d}"),
            ("New Value", new),
            ("Old Value", new - delta),
            ("Reason", SCORE_REASONS[row.index % len(SCORE_REASONS)]),
        ]
    body.update(extra)
    body["attributes"] = _attrs(pairs)
    return body


def render_change(
    row: Row, changes: dict[int, Change], fields: frozenset[str]
) -> dict[str, Any] | None:
    """One activity as `GET /rest/v1/activities/leadchanges.json` answers it, or None when
    it changed none of `fields`."""
    body: dict[str, Any] = {
        "id": row.id,
        "marketoGUID": str(row.id),
        "leadId": row.lead_id,
        "activityDate": iso_s(row.date_ms),
        "activityTypeId": row.type_id,
    }
    if row.type_id == NEW_LEAD:
        body["fields"] = []
        body["attributes"] = _attrs([("Source Type", SOURCES[row.detail])])
        return body
    change = change_of(row, changes)
    if change.field not in fields:
        return None
    field: dict[str, Any] = {"id": FIELD_IDS[change.field], "name": change.field}
    field["newValue"] = "" if change.new is None else change.new  # the Swagger: always a string
    if change.old is not None:
        field["oldValue"] = change.old
    body["fields"] = [field]
    body["attributes"] = _attrs([("Source", change.source)])
    return body
