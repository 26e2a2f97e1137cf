"""Test data made by the same services the pages call (issue 13, part 5).

One module per app: accounts (organisations, referrers, leads, staff), referrals (drafts filled
in through the step forms, then submitted), triage (claim, decide, request information,
re-route, link, merge, close, ...), feedback (phone feedback, the outbox worker, the sweep).
A factory can only take shapes the product can reach; where a row has no service because only
an administrator (Django admin) or a data migration makes it, the factory says so.
"""
