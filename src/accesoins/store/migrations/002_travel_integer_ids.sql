-- 002: travel times keyed by commune position (ORDER BY code_commune) instead of text codes:
-- a national matrix (≈ 6 million pairs) reads back in a fraction of a second.
DROP TABLE travel_times;
DELETE FROM travel_matrices;
CREATE TABLE travel_times (
    matrix_key VARCHAR NOT NULL,
    origin     INTEGER NOT NULL,
    dest       INTEGER NOT NULL,
    minutes    FLOAT NOT NULL
);
