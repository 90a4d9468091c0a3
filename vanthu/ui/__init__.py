"""The page kit every app's views may use: form pieces and view shortcuts (layer 0).

It knows nothing of the domain: what depends on organisations or roles lives with them
(`vanthu.organizations.session` for the organisation a person acts for).
"""
