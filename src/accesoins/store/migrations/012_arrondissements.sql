-- 012: the municipal arrondissements of Paris, Lyon and Marseille beneath their commune, and the
-- units of computation (communes, the three cities replaced by their arrondissements, as DREES does).

CREATE TABLE arrondissements (
    code_arrondissement VARCHAR PRIMARY KEY,
    nom                 VARCHAR NOT NULL,
    code_commune        VARCHAR NOT NULL,     -- 75056, 69123 or 13055
    code_departement    VARCHAR NOT NULL,
    code_region         VARCHAR NOT NULL,
    code_epci           VARCHAR,
    zone                VARCHAR NOT NULL,
    population          BIGINT,
    lat                 DOUBLE,
    lon                 DOUBLE,
    point_method        VARCHAR,
    mairie_distance_m   DOUBLE,
    contour_method      VARCHAR,
    area_km2            DOUBLE
);

CREATE TABLE arrondissement_postcodes (
    code_arrondissement VARCHAR NOT NULL,
    code_postal         VARCHAR NOT NULL
);

-- One row per unit: ``code_commune`` is the unit's code (an arrondissement's own code for the three
-- cities), ``code_parent`` the commune it belongs to. Sums over units never count a city twice.
CREATE VIEW territory_units AS
SELECT code_commune, nom, code_departement, code_region, code_epci, zone, population, lat, lon,
       area_km2, code_commune AS code_parent, FALSE AS is_arrondissement
FROM communes WHERE code_commune NOT IN (SELECT code_commune FROM arrondissements)
UNION ALL
SELECT code_arrondissement, nom, code_departement, code_region, code_epci, zone, population, lat, lon,
       area_km2, code_commune, TRUE
FROM arrondissements;
