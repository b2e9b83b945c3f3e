"""The observatory: its build (every indicator, every level), what its pages show (views, portraits,
the in-memory territory index, commune search), open-data exports and the official references (DREES APL,
« écart à la DREES »)."""
