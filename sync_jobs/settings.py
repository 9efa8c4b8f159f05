"""Settings of the job engine and the write-back path: `MGW_JOBS__…`, or `[jobs]` in mgw.toml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator


class JobSettings(BaseModel):
    engine: Literal["auto", "arq", "inline"] = Field(
        "auto",
        description=(
            "`arq`: jobs in Redis (MGW_REDIS_URL), run by `mgw worker` processes; `inline`: "
            "run in this process; `auto`: arq when MGW_REDIS_URL is set, else inline."
        ),
    )
    retry_delays_seconds: list[float] = Field(
        default_factory=lambda: [1.0, 4.0, 16.0],
        description=(
            "Waits before each retry of a transient failure (a longer Retry-After wins); "
            "after the last, the write goes to the dead-letter queue."
        ),
    )
    write_deadline_seconds: float = Field(
        3.0, ge=0, description="How long a mutation waits for its writes before answering QUEUED."
    )
    concurrency: int = Field(10, ge=1, le=1000, description="Jobs one process runs at a time.")
    job_timeout_seconds: float = Field(
        60.0,
        gt=0,
        description=(
            "Longest a job may run; a job whose worker died is taken up again this long (+10 s) "
            "after it started."
        ),
    )
    queue_name: str = Field("mgw:jobs", min_length=1, description="The arq queue in Redis.")
    poll_seconds: float = Field(
        0.1, gt=0, description="How often arq workers look for jobs and callers for results."
    )
    sweep_seconds: float = Field(
        60.0,
        gt=0,
        description=(
            "How often a worker (or a gateway running its jobs itself) hands unfinished "
            "writes back to the queue (lost jobs)."
        ),
    )

    @field_validator("retry_delays_seconds")
    @classmethod
    def _non_negative(cls, value: list[float]) -> list[float]:
        if any(delay < 0 for delay in value):
            raise ValueError("retry delays cannot be negative")
        return value

    def uses_arq(self, redis_url: str | None) -> bool:
        if self.engine == "arq" and not redis_url:
            raise ValueError("MGW_JOBS__ENGINE=arq needs MGW_REDIS_URL")
        return self.engine == "arq" or (self.engine == "auto" and redis_url is not None)
