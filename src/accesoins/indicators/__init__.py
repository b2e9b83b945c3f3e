"""Observatory indicators: catalogue, zoning classes and aggregation to territories.

Pure pandas: the build that reads the store and writes indicators lives in
:mod:`accesoins.services.observatory.build`.
"""
