"""Each connected platform's rate-limit rules, breaker and retry policy: its spec's documented
defaults (`connectors/<platform>/spec.py`) under the `MGW_LIMITS__<PLATFORM>__…` overrides."""

from __future__ import annotations

from collections.abc import Mapping

from cache.rate_rules import LimitSettings
from cache.rate_rules import rules as throttle_rules
from cache.throttle import Rule
from canonical_schema import Platform
from connectors.registry import spec_of


def effective(platform: Platform, overrides: Mapping[str, LimitSettings]) -> LimitSettings:
    return spec_of(platform).effective_limits(overrides)


def rules(platform: Platform, limits: LimitSettings, credential: str) -> list[Rule]:
    return throttle_rules(platform.value, limits, credential, spec_of(platform).learners)
