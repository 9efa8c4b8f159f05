"""The control API under `/_sim`: credentials, ground truth, stats, reset, faults, and each
platform's raw records, UI edits, write log and token revocation. Not part of any platform;
never faulted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from simulators.core.faults import Faults, FaultSpec
from simulators.core.people import Person
from simulators.core.platform import (
    InvalidFields,
    Platform,
    Revocable,
    Storefront,
    UnknownRecord,
)
from simulators.core.stats import Stats
from simulators.core.webhooks import WebhookSender

PEOPLE_PAGE_DEFAULT, PEOPLE_PAGE_MAX = 100, 10_000


class FaultRequest(BaseModel):
    platform: str
    error_rate: float = Field(0.0, ge=0, le=1)
    status: int = Field(500, ge=400, le=599)
    latency_ms: int = Field(0, ge=0, le=60_000)
    timeout_rate: float = Field(0.0, ge=0, le=1)
    malformed_rate: float = Field(0.0, ge=0, le=1)
    drift_rate: float = Field(0.0, ge=0, le=1)
    reset_rate: float = Field(0.0, ge=0, le=1)
    truncate_rate: float = Field(0.0, ge=0, le=1)
    retry_after: float | None = Field(None, ge=0, le=3600)
    count: int | None = Field(None, ge=1)
    route: str | None = None
    after: int = Field(0, ge=0)


class MutateRequest(BaseModel):
    email: str
    fields: dict[str, Any]


class OrderRequest(BaseModel):
    email: str
    total: str
    utm_campaign: str | None = None
    processed_at: datetime | None = None  # an imported order's own date


@dataclass
class SimState:
    people: Sequence[Person]
    platforms: Mapping[str, Platform]
    stats: Stats
    faults: Faults
    webhooks: WebhookSender


def _error(status: int, message: str, **extra: Any) -> Response:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _int(raw: str | None, default: int, low: int, high: int) -> int:
    value = int(raw) if raw and raw.lstrip("-").isdigit() else default
    return min(max(value, low), high)


class Control:
    def __init__(self, state: SimState) -> None:
        self.state = state

    def _platform(self, request: Request) -> Platform | None:
        return self.state.platforms.get(request.path_params["platform"])

    async def credentials(self, request: Request) -> Response:
        return JSONResponse({n: p.credentials() for n, p in self.state.platforms.items()})

    async def people(self, request: Request) -> Response:
        people = self.state.people
        offset = _int(request.query_params.get("offset"), 0, 0, len(people))
        limit = _int(request.query_params.get("limit"), PEOPLE_PAGE_DEFAULT, 0, PEOPLE_PAGE_MAX)
        ids = {name: p.external_ids() for name, p in self.state.platforms.items()}
        page = [
            {
                "email": person.email,
                "external_ids": {
                    n: held[person.email] for n, held in ids.items() if person.email in held
                },
            }
            for person in people[offset : offset + limit]
        ]
        return JSONResponse({"total": len(people), "offset": offset, "people": page})

    async def stats(self, request: Request) -> Response:
        for name in self.state.platforms:
            self.state.stats.of(name)
        return JSONResponse(self.state.stats.as_json())

    async def reset(self, request: Request) -> Response:
        reseed = request.query_params.get("reseed", "") in ("1", "true")
        self.state.stats.reset()
        self.state.faults.clear()
        self.state.webhooks.clear()
        for platform in self.state.platforms.values():
            platform.reset(reseed=reseed)
        return JSONResponse({"reset": True, "reseeded": reseed})

    async def faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.state.faults.clear()
        elif request.method == "POST":
            try:
                wanted = FaultRequest.model_validate_json(await request.body())
            except ValidationError as exc:
                return _error(400, "invalid fault", details=exc.errors(include_url=False))
            if wanted.platform not in self.state.platforms:
                return _error(404, f"unknown platform {wanted.platform!r}")
            spec = FaultSpec(**wanted.model_dump(exclude={"platform"}))
            self.state.faults.set(wanted.platform, spec)
        active = self.state.faults.active()
        return JSONResponse({"faults": {name: asdict(spec) for name, spec in active.items()}})

    async def records(self, request: Request) -> Response:
        platform = self._platform(request)
        if platform is None:
            return _error(404, "unknown platform")
        email = request.query_params.get("email", "")
        return JSONResponse({"email": email, "records": platform.records(email)})

    async def mutate(self, request: Request) -> Response:
        platform = self._platform(request)
        if platform is None:
            return _error(404, "unknown platform")
        try:
            wanted = MutateRequest.model_validate_json(await request.body())
            record = platform.mutate(wanted.email, wanted.fields)
        except ValidationError as exc:
            return _error(400, "invalid mutation", details=exc.errors(include_url=False))
        except UnknownRecord:
            return _error(404, "no record with that email")
        except InvalidFields as exc:
            return _error(400, str(exc))
        return JSONResponse({"record": record})

    async def place_order(self, request: Request) -> Response:
        """A shopper checks out in the platform's storefront."""
        platform = self._platform(request)
        if platform is None:
            return _error(404, "unknown platform")
        if not isinstance(platform, Storefront):
            return _error(409, f"{platform.name} has no storefront")
        try:
            wanted = OrderRequest.model_validate_json(await request.body())
            processed = wanted.processed_at
            processed_ms = None if processed is None else int(processed.timestamp() * 1000)
            order = platform.place_order(
                wanted.email, wanted.total, wanted.utm_campaign, processed_ms
            )
        except ValidationError as exc:
            return _error(400, "invalid order", details=exc.errors(include_url=False))
        except UnknownRecord:
            return _error(404, "no customer with that email")
        except InvalidFields as exc:
            return _error(400, str(exc))
        return JSONResponse({"order": order})

    async def writes(self, request: Request) -> Response:
        platform = self._platform(request)
        if platform is None:
            return _error(404, "unknown platform")
        return JSONResponse({"writes": platform.writes()})

    async def revoke(self, request: Request) -> Response:
        """The user disconnected the app: its refresh and access tokens stop working."""
        platform = self._platform(request)
        if platform is None:
            return _error(404, "unknown platform")
        if not isinstance(platform, Revocable):
            return _error(409, f"{platform.name} has no OAuth grant to revoke")
        return JSONResponse({"platform": platform.name, "revoked": platform.revoke_tokens()})

    async def requests(self, request: Request) -> Response:
        """The last requests each platform saw (route, status, traceparent), oldest first."""
        platform = request.query_params.get("platform")
        limit = _int(request.query_params.get("limit"), 100, 1, 1000)
        names = [platform] if platform else list(self.state.platforms)
        return JSONResponse(
            {name: list(self.state.stats.of(name).recent)[-limit:] for name in names}
        )

    async def webhooks(self, request: Request) -> Response:
        """Every webhook the platforms sent since the last reset, with its delivery attempts."""
        return JSONResponse({"deliveries": self.state.webhooks.as_json()})

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/webhooks", self.webhooks, methods=["GET"]),
            Route("/requests", self.requests, methods=["GET"]),
            Route("/credentials", self.credentials, methods=["GET"]),
            Route("/people", self.people, methods=["GET"]),
            Route("/stats", self.stats, methods=["GET"]),
            Route("/reset", self.reset, methods=["POST"]),
            Route("/faults", self.faults, methods=["GET", "POST", "DELETE"]),
            Route("/{platform}/records", self.records, methods=["GET"]),
            Route("/{platform}/mutate", self.mutate, methods=["POST"]),
            Route("/{platform}/writes", self.writes, methods=["GET"]),
            Route("/{platform}/orders", self.place_order, methods=["POST"]),
            Route("/{platform}/revoke", self.revoke, methods=["POST"]),
        ]
