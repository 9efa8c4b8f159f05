"""Who may do what: the authenticated caller (`Principal`) and the scopes it can hold.

A leaf: it imports nothing of ours, so every layer may use it — the edge that authenticates
callers (`gateway/security/`) and the resolvers that check each field's scope.
"""
