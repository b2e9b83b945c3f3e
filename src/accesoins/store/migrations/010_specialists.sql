-- 010: access to specialists (issue 15), computed from the RPPS import by `accesoins specialistes build`.
-- One row per specialty × territory (levels commune, departement, region, france).
CREATE TABLE specialist_access (
    specialty     VARCHAR NOT NULL,        -- key of rules/specialties.yaml (followed)
    level         VARCHAR NOT NULL,
    code          VARCHAR NOT NULL,
    population    DOUBLE,
    professionals INTEGER,                 -- distinct RPPS identifiers practising in the territory
    density       DOUBLE,                  -- professionals per 100 000 inhabitants
    minutes       DOUBLE,                  -- commune: nearest; territories: population-weighted mean
    beyond_30     DOUBLE,                  -- inhabitants beyond 30 / 45 / 60 minutes
    beyond_45     DOUBLE,
    beyond_60     DOUBLE,
    site_commune  VARCHAR                  -- commune level: the commune of the nearest specialist
);

CREATE TABLE specialist_builds (
    build_id   INTEGER NOT NULL,
    built_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    parameters JSON,
    vintages   JSON,
    is_demo    BOOLEAN NOT NULL DEFAULT false
);
