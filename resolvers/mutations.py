"""The write-back mutations: `upsertCustomer`, and replaying or discarding a dead letter.

Resolvers translate arguments and call the write service (hub/write_service.py); the input is
validated before any platform is called, so a bad email, a blank name or a phone that is not
one answers BAD_USER_INPUT and nothing is written.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from access.principal import Principal
from access.scopes import ADMIN_DLQ, READ_CUSTOMERS, WRITE_CUSTOMERS
from canonical_schema import EmailConsent, LifecycleStage, Platform, WriteStatus
from hub.write_plan import validated_change
from hub.write_results import TargetResult
from hub.write_service import IdempotencyConflictError, WriteService
from resolvers.context import GatewayContext
from resolvers.errors import BadUserInputError
from resolvers.extensions.error_disclosure import write_error_sentence
from resolvers.extensions.operation_limits import operation_limits
from resolvers.permissions import needs
from resolvers.types import CustomerType

Info = strawberry.Info[GatewayContext, None]

WriteStatusEnum = strawberry.enum(
    WriteStatus,
    name="WriteStatus",
    description=(
        "What became of a write to one platform: WRITTEN (it holds the change now), QUEUED "
        "(a transient failure; retrying in the background), DEAD_LETTERED (failed for good; "
        "see `deadLetterId`) or SKIPPED (it already held every value, nothing was sent)."
    ),
)


@strawberry.input(name="CustomerInput", description="A change to one person, by email.")
class CustomerInput:
    email: str = strawberry.field(description="Who: the person's email address.")
    first_name: str | None = strawberry.field(default=None, description="Given name.")
    last_name: str | None = strawberry.field(default=None, description="Family name.")
    phone: str | None = strawberry.field(
        default=None,
        description=(
            "Phone number; stored in E.164 (`+14155550123`). One without a country code is read "
            "in the gateway's configured region (US unless set otherwise)."
        ),
    )
    lifecycle_stage: LifecycleStage | None = strawberry.field(
        default=None, description="Funnel stage; platforms without that stage leave theirs."
    )
    email_consent: EmailConsent | None = strawberry.field(
        default=None, description="SUBSCRIBED, UNSUBSCRIBED or PENDING (the others are findings)."
    )


@strawberry.type(name="WriteResult", description="What became of a write to one platform.")
class WriteResultType:
    platform: Platform = strawberry.field(description="The platform written to.")
    status: WriteStatus = strawberry.field(description="WRITTEN, QUEUED, DEAD_LETTERED, SKIPPED.")
    external_id: strawberry.ID | None = strawberry.field(
        description="The record's id in the platform, once written (or found up to date)."
    )
    error: str | None = strawberry.field(
        description=(
            "The last failure, when there was one: one fixed sentence per kind of failure "
            "(the platform's own words go to the log under the correlation id), or the "
            "platform's words where `edge.upstream_messages` is on, as in the demo."
        )
    )
    dead_letter_id: strawberry.ID | None = strawberry.field(
        description="The dead letter holding the write, when DEAD_LETTERED."
    )

    @classmethod
    def from_result(cls, result: TargetResult) -> WriteResultType:
        return cls(
            platform=result.platform,
            status=result.status,
            external_id=strawberry.ID(result.external_id) if result.external_id else None,
            error=(
                result.error
                if operation_limits.get().upstream_messages
                else write_error_sentence(result.platform.name, result.error)
            ),
            dead_letter_id=strawberry.ID(result.dead_letter_id) if result.dead_letter_id else None,
        )


@strawberry.type(name="UpsertCustomerPayload", description="The outcome of `upsertCustomer`.")
class UpsertCustomerPayload:
    results: list[WriteResultType] = strawberry.field(description="One per target platform.")
    email: strawberry.Private[str]

    @strawberry.field(
        description=(
            "The customer as the platforms hold them now (read fresh); needs "
            "`read:customers`, as reading them anywhere else does."
        ),
        extensions=needs(READ_CUSTOMERS),
    )
    async def customer(self, info: Info) -> CustomerType | None:
        read = await info.context.customers_by_email.load(self.email)
        if read.failures:
            info.context.report(read.failures, tuple(info.path.as_list()))
        return CustomerType.from_model(read.customer) if read.customer else None


def key_owner(info: Info) -> str:
    """Whose idempotency keys these are: the API key or JWT subject; in the open demo, and
    for in-process callers, everyone alike."""
    principal: Principal = info.context.principal
    return principal.client_id if principal.kind in {"api_key", "jwt"} else principal.kind


def write_service(info: Info) -> WriteService:
    service: WriteService | None = getattr(info.context, "write", None)
    if service is None:
        raise GraphQLError("write-back is not available here", extensions={"code": "UNAVAILABLE"})
    return service


@strawberry.type
class WriteMutations:
    @strawberry.mutation(
        description=(
            "Writes to every connected platform, or only `targets`. Same key, same payload: "
            "applied once (the first request's results are answered again); same key with a "
            "different payload: IDEMPOTENCY_CONFLICT. Keys are per client: another client's "
            "same key is its own. Waits a few seconds at most; writes not "
            "done by then are QUEUED and finish in the background."
        ),
        extensions=needs(WRITE_CUSTOMERS),
    )
    async def upsert_customer(
        self,
        info: Info,
        input: CustomerInput,
        targets: list[Platform] | None = None,
        idempotency_key: str | None = None,
    ) -> UpsertCustomerPayload:
        try:
            change = validated_change(
                input.email,
                first_name=input.first_name,
                last_name=input.last_name,
                phone=input.phone,
                lifecycle_stage=input.lifecycle_stage,
                email_consent=input.email_consent,
                phone_region=info.context.phone_region,
            )
        except ValueError as exc:
            raise BadUserInputError(str(exc)) from exc
        correlation_id = getattr(info.context, "correlation_id", None)
        try:
            outcome = await write_service(info).upsert(
                change, targets, idempotency_key, correlation_id, owner=key_owner(info)
            )
        except IdempotencyConflictError as exc:
            raise GraphQLError(str(exc), extensions={"code": exc.code}) from exc
        return UpsertCustomerPayload(
            results=[WriteResultType.from_result(r) for r in outcome.results],
            email=outcome.request.change.email,
        )

    @strawberry.mutation(
        description=(
            "Send a dead letter's write again, with a fresh retry budget; it leaves the queue "
            "(if it fails for good again, it comes back under a new id)."
        ),
        extensions=needs(ADMIN_DLQ),
    )
    async def replay_dead_letter(self, info: Info, id: strawberry.ID) -> WriteResultType:
        result = await write_service(info).replay(str(id))
        return WriteResultType.from_result(result)

    @strawberry.mutation(
        description="Drop a dead letter without writing it; false when no open one has this id.",
        extensions=needs(ADMIN_DLQ),
    )
    async def discard_dead_letter(self, info: Info, id: strawberry.ID) -> bool:
        return await write_service(info).discard(str(id))
