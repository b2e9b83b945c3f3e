-- 015: planning scenarios saved from the web page by a signed-in administrator.
-- The main store is read-only for the server; the participation database is the one it writes.
CREATE SEQUENCE planning_saved_scenarios_seq START 1;
CREATE TABLE planning_saved_scenarios (
    scenario_id  BIGINT PRIMARY KEY DEFAULT nextval('planning_saved_scenarios_seq'),
    title        VARCHAR NOT NULL,
    query        VARCHAR NOT NULL,     -- the scenario page's parameters, as a query string
    author       VARCHAR NOT NULL,     -- display name of the account that saved it
    organisation VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL DEFAULT current_timestamp
);
