"""Alert thresholds (settings `alerts`): each alert fires while its value is past its
threshold, and its runbook says what to do (docs/runbooks/)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AlertSettings(BaseModel):
    interval_seconds: float = Field(
        5.0, gt=0, description="How often the alerts are evaluated (and quota sampled)."
    )
    window_seconds: float = Field(
        300.0,
        gt=0,
        le=3600,
        description="The window error rate and p95 latency are taken over (at most an hour).",
    )
    min_operations: int = Field(
        20, ge=1, description="Operations the window must hold before rate and p95 may fire."
    )
    error_rate: float = Field(
        0.05,
        ge=0,
        le=1,
        description="high_error_rate fires past this share of operations failing server-side.",
    )
    p95_latency_seconds: float = Field(
        2.0, gt=0, description="high_latency fires while p95 operation latency is above this."
    )
    queue_depth: int = Field(
        500, ge=0, description="job_backlog fires while more jobs than this wait to run."
    )
    dlq_size: int = Field(
        0, ge=0, description="dead_letters fires while more dead letters than this are open."
    )
    freshness_seconds: float = Field(
        3600.0,
        gt=0,
        description="stale_data fires for a platform not synced successfully for this long.",
    )
    freshness_by_platform: dict[str, float] = Field(
        default_factory=dict,
        description="Per-platform freshness thresholds, e.g. {marketo = 7200}.",
    )

    def freshness_for(self, platform: str) -> float:
        return self.freshness_by_platform.get(platform, self.freshness_seconds)
