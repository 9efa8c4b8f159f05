"""Client authentication and authorization for the GraphQL edge (docs/adr/0050-client-auth.md).

Who is calling (`principal`), how they prove it (`api_keys`, `jwt`), what they may do (`scopes`),
and the ASGI layer that ties it to each request (`middleware.auth`).
"""
