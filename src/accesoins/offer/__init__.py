"""The care offer: importers of national files and of users' own data.

Each importer is a pure reader returning an :class:`~accesoins.offer.batch.ImportBatch`;
:mod:`accesoins.store.loading` writes a batch in one transaction.
"""
