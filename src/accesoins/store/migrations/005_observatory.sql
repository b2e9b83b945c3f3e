-- 005: observatory indicators by territory, their provenance, zoning classes, time series.

CREATE TABLE indicator_meta (
    indicator        VARCHAR PRIMARY KEY,
    label            VARCHAR NOT NULL,
    unit             VARCHAR NOT NULL,
    family           VARCHAR NOT NULL,
    aggregate        VARCHAR NOT NULL,
    higher_is_better BOOLEAN NOT NULL,
    parameters       JSON NOT NULL,
    vintages         JSON NOT NULL,
    is_demo          BOOLEAN NOT NULL,
    computed_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE indicator_values (
    level            VARCHAR NOT NULL,   -- commune | epci | departement | region | france
    code             VARCHAR NOT NULL,
    indicator        VARCHAR NOT NULL,
    value            DOUBLE,
    rank_departement INTEGER,            -- communes: 1 = best in its département
    n_departement    INTEGER
);

CREATE TABLE territory_populations (
    level      VARCHAR NOT NULL,
    code       VARCHAR NOT NULL,
    population DOUBLE NOT NULL,
    PRIMARY KEY (level, code)
);

CREATE TABLE zoning_classes (
    code_commune VARCHAR PRIMARY KEY,
    classe       VARCHAR
);

CREATE TABLE zoning_populations (
    level      VARCHAR NOT NULL,
    code       VARCHAR NOT NULL,
    classe     VARCHAR NOT NULL,
    population DOUBLE NOT NULL
);

CREATE TABLE nearest_sites (
    code_commune VARCHAR NOT NULL,
    target       VARCHAR NOT NULL,       -- medecin_generaliste | pharmacie | urgences | maternite | france_sante
    site_commune VARCHAR,                -- commune holding the nearest site
    minutes      DOUBLE
);

CREATE TABLE observatory_builds (
    build_id    INTEGER PRIMARY KEY,
    seconds     DOUBLE NOT NULL,
    report      JSON NOT NULL,
    built_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Time series of the Assurance Maladie's open data (Observatoire de l'accès aux soins).
CREATE TABLE ameli_series (
    source_id VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    label     VARCHAR NOT NULL,
    level     VARCHAR NOT NULL,
    code      VARCHAR NOT NULL,
    period    VARCHAR NOT NULL,          -- '2023', '2023-T4' or '2023-12'
    value     DOUBLE
);
