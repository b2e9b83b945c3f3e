-- 002: the disclosure model against an active adversary (issue #12).
-- contributor: HMAC of the client's address under the secret of the response's quarter,
--   used only to count a client once per questionnaire and quarter; erased (NULL) when
--   the quarter closes, together with the quarter's secret, so it never outlives its use.
-- code_commune, code_departement: the site's location when the response was given
--   (located = TRUE), so a closed quarter's aggregates never change afterwards.
-- counted: set when the quarter is sealed: TRUE for the one response kept per contributor.
ALTER TABLE responses ADD COLUMN contributor VARCHAR;
ALTER TABLE responses ADD COLUMN code_commune VARCHAR;
ALTER TABLE responses ADD COLUMN code_departement VARCHAR;
ALTER TABLE responses ADD COLUMN located BOOLEAN DEFAULT FALSE;
ALTER TABLE responses ADD COLUMN counted BOOLEAN;

CREATE TABLE period_secrets (
    quarter VARCHAR PRIMARY KEY,
    secret  VARCHAR NOT NULL       -- random, deleted when the quarter is sealed
);

CREATE TABLE sealed_quarters (
    quarter   VARCHAR PRIMARY KEY,
    sealed_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
