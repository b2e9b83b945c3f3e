-- 011: official quality indicators of establishments (HAS open data: IQSS, e-Satis, certification),
-- keyed by FINESS number, with the campaign year and the importing source.

CREATE TABLE has_quality_values (
    source_id   VARCHAR NOT NULL,
    finess      VARCHAR NOT NULL,
    finess_type VARCHAR,
    indicator   VARCHAR NOT NULL,   -- the file's « key »
    year        VARCHAR NOT NULL,   -- campaign year (« annee »)
    value       DOUBLE,             -- numeric value (integer, float or boolean as 0/1)
    text        VARCHAR,            -- textual value (string or date) when not numeric
    missing     VARCHAR             -- « missing_value »: why no value is published
);

CREATE TABLE has_quality_meta (
    source_id   VARCHAR NOT NULL,
    indicator   VARCHAR NOT NULL,
    title       VARCHAR,
    description VARCHAR,
    kind        VARCHAR,            -- « type »
    origin      VARCHAR,            -- « source » (campaign, survey)
    family      VARCHAR NOT NULL    -- activite | pratiques | experience | resultats | autres
);
