-- 013: the published list of labelled hôpitaux de proximité (DGOS / ARS), by FINESS ET number.
-- « Hôpital de proximité » is a label (CSP L. 6111-3-1), not a FINESS category: a FINESS offer site
-- whose site_id is listed here is counted as one (services.observatory.structures). The list
-- covers France: an import replaces it entirely (its sources row has kind 'hopitaux_proximite').

CREATE TABLE hopitaux_proximite (
    finess     VARCHAR NOT NULL,   -- FINESS ET number, 9 characters (leading zero restored)
    nom        VARCHAR,
    region     VARCHAR,
    date_label DATE,               -- date of labelling (or of the order) when the list gives it
    line       INTEGER,            -- line (or Excel row) of the imported file
    source_id  VARCHAR NOT NULL
);
