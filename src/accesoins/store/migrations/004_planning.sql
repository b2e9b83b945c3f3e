-- 004: planning — saved scenarios (definitions validated by accesoins.planning.scenario).
CREATE TABLE planning_scenarios (
    name        VARCHAR PRIMARY KEY,      -- [a-z0-9_-], 1 to 60 characters
    title       VARCHAR NOT NULL,
    definition  JSON NOT NULL,            -- the normalised definition
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
