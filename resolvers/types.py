"""Strawberry output types, gathered: each type lives in the module named after it
(`customer`, `company`, `deal`, `order`, `campaign`, `event`; shared ones in `common`).
Thin views over canonical models; their fields that need more reads go through the
request's DataLoaders."""

from __future__ import annotations

from canonical_schema import Platform
from resolvers.campaign import CampaignConnection, CampaignEdge, CampaignStatsType, CampaignType
from resolvers.common import MoneyType, Node, PageInfo, SourceRecordType
from resolvers.company import CompanyType
from resolvers.customer import CustomerEdge, CustomerType, EmailEngagementType, FieldSource
from resolvers.deal import DealType
from resolvers.event import BehavioralEventType
from resolvers.order import OrderType

NODE_TYPES: tuple[type, ...] = (CustomerType, CompanyType, DealType, OrderType, CampaignType)

__all__ = [
    "NODE_TYPES",
    "BehavioralEventType",
    "CampaignConnection",
    "CampaignEdge",
    "CampaignStatsType",
    "CampaignType",
    "CompanyType",
    "CustomerEdge",
    "CustomerType",
    "DealType",
    "EmailEngagementType",
    "FieldSource",
    "MoneyType",
    "Node",
    "OrderType",
    "PageInfo",
    "Platform",
    "SourceRecordType",
]
