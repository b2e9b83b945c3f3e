-- 001: territory, sources, offer, population by age, travel cache, results.

CREATE TABLE sources (
    source_id    VARCHAR PRIMARY KEY,   -- 'etalab_decoupage_administratif', 'bpe:2023', 'demo'…
    kind         VARCHAR NOT NULL,      -- territory | offer | population_by_age | indicators
    title        VARCHAR NOT NULL,
    vintage      VARCHAR NOT NULL,
    licence      VARCHAR NOT NULL,
    attribution  VARCHAR NOT NULL,
    url          VARCHAR,
    file         VARCHAR,
    parameters   JSON,
    is_demo      BOOLEAN NOT NULL DEFAULT FALSE,
    row_count    BIGINT,
    imported_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE regions (
    code_region VARCHAR PRIMARY KEY,
    nom         VARCHAR NOT NULL,
    zone        VARCHAR NOT NULL
);

CREATE TABLE departements (
    code_departement VARCHAR PRIMARY KEY,
    nom              VARCHAR NOT NULL,
    code_region      VARCHAR NOT NULL
);

CREATE TABLE epci (
    code_epci VARCHAR PRIMARY KEY,
    nom       VARCHAR NOT NULL,
    type      VARCHAR
);

CREATE TABLE communes (
    code_commune      VARCHAR PRIMARY KEY,
    nom               VARCHAR NOT NULL,
    code_departement  VARCHAR NOT NULL,
    code_region       VARCHAR NOT NULL,
    code_epci         VARCHAR,
    zone              VARCHAR NOT NULL,   -- metro | drom
    population        BIGINT,
    lat               DOUBLE,
    lon               DOUBLE,
    point_method      VARCHAR,
    mairie_distance_m DOUBLE,
    contour_method    VARCHAR,
    area_km2          DOUBLE
);

CREATE TABLE commune_history (
    old_code     VARCHAR PRIMARY KEY,
    code_commune VARCHAR NOT NULL,
    nature       VARCHAR NOT NULL         -- fusion | arrondissement | commune-deleguee | commune-associee
);

CREATE TABLE commune_postcodes (
    code_commune VARCHAR NOT NULL,
    code_postal  VARCHAR NOT NULL
);

CREATE TABLE contours (
    level   VARCHAR NOT NULL,             -- commune | epci | departement | region
    code    VARCHAR NOT NULL,
    geojson VARCHAR NOT NULL,             -- simplified geometry, WGS84
    PRIMARY KEY (level, code)
);

CREATE TABLE offer (
    source_id    VARCHAR NOT NULL,
    category     VARCHAR NOT NULL,
    code_commune VARCHAR NOT NULL,
    quantity     DOUBLE NOT NULL,
    unit         VARCHAR NOT NULL,         -- count | fte | sites
    site_id      VARCHAR,
    name         VARCHAR,
    lat          DOUBLE,
    lon          DOUBLE,
    attributes   JSON
);

CREATE TABLE population_by_age (
    source_id    VARCHAR NOT NULL,
    code_commune VARCHAR NOT NULL,
    age_band     VARCHAR NOT NULL,
    population   DOUBLE NOT NULL
);

CREATE TABLE import_log (
    import_id   BIGINT PRIMARY KEY,
    source_id   VARCHAR NOT NULL,
    file        VARCHAR,
    rows        BIGINT,
    remapped    BIGINT,
    rejected    BIGINT,
    report      JSON,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE travel_matrices (
    matrix_key  VARCHAR PRIMARY KEY,
    provider    VARCHAR NOT NULL,
    parameters  JSON,
    pairs       BIGINT,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE travel_times (
    matrix_key VARCHAR NOT NULL,
    origin     VARCHAR NOT NULL,
    dest       VARCHAR NOT NULL,
    minutes    FLOAT NOT NULL
);

CREATE TABLE results (
    result_id        VARCHAR PRIMARY KEY,
    kind             VARCHAR NOT NULL,    -- apl | nearest | coverage | …
    parameters       JSON NOT NULL,
    vintages         JSON NOT NULL,
    software_version VARCHAR NOT NULL,
    is_demo          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE result_values (
    result_id    VARCHAR NOT NULL,
    code_commune VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    value        DOUBLE
);
