"""Access measured from the store: travel-time matrices cached in the store, APL / nearest care / coverage
(glue to the pure :mod:`accesoins.travel` and :mod:`accesoins.access`), and computed results with provenance."""
