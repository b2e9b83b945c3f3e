"""Patient experience and participation: pure logic, no database, no web.

Questionnaires (PREMS, PROMS) and their validation, site identifiers (FINESS),
indicators with confidence intervals, the small-count disclosure rule, and the
authentication primitives (argon2id hashes, session expiry, CSRF, rate limits).
"""
