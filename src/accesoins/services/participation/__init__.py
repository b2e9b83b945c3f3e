"""Participation services, one module per concern: :mod:`.accounts`, :mod:`.questionnaires`,
:mod:`.responses` (and sites, quarters), :mod:`.publication` (indicators and pages), :mod:`.directory`;
:mod:`.common` holds labels, errors and the audit writer.

Every function takes the participation store (and, for locations, the main store read-only)
explicitly; the API, the pages and the CLI call the same functions. Every write made by an account
is recorded in ``audit_log`` in the same transaction as the change (who, role, what, when, before, after).
"""
