"""Data into the store and back out as engine inputs: the build pipeline, national sources, file imports,
the engine's inputs (points, population, supply) and what the store holds (territory, sources, demo flag)."""
