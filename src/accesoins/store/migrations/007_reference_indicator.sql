-- 007: official reference indicators (DREES APL workbook, DREES APL 2018), per commune and vintage.
-- Arrondissements of Paris, Lyon and Marseille keep their own code; old codes are mapped to
-- current communes at import (reported). The Paramètres sheet is kept in sources.parameters.

CREATE TABLE reference_indicator (
    indicator    VARCHAR NOT NULL,   -- e.g. 'apl_medecin_generaliste'
    variant      VARCHAR NOT NULL,   -- 'tous' | 'moins_65' | 'moins_62' | 'moins_60' (as the sheet carries)
    vintage      VARCHAR NOT NULL,   -- '2018', '2022', '2023'
    code_commune VARCHAR NOT NULL,
    value        DOUBLE,
    source       VARCHAR NOT NULL,
    imported_at  TIMESTAMP,
    PRIMARY KEY (indicator, variant, vintage, code_commune)
);
