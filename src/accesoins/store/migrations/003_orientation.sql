-- 003: orientation — pharmacies (details, hours, access) and duty rota slots.
-- Times of slots are stored in UTC (naive TIMESTAMP); the local wall-clock time
-- and the calendar zone are kept for display and audit.

CREATE TABLE orientation_pharmacies (
    pharmacy_id   VARCHAR PRIMARY KEY,   -- FINESS number when known, else the importer's id
    source_id     VARCHAR NOT NULL,      -- 'orientation_demo' or 'pharmacies:<file>'
    name          VARCHAR NOT NULL,
    address       VARCHAR,
    code_postal   VARCHAR,
    code_commune  VARCHAR NOT NULL,
    zone          VARCHAR NOT NULL,      -- calendar zone: metro | alsace_moselle | 971 … 976
    lat           DOUBLE NOT NULL,
    lon           DOUBLE NOT NULL,
    phone         VARCHAR,
    hours         VARCHAR,               -- weekly hours, format of accesoins.orientation.hours
    access_notes  VARCHAR,
    call_before   BOOLEAN NOT NULL DEFAULT FALSE,
    sector        VARCHAR,               -- duty sector (secteur de garde)
    is_demo       BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE orientation_duty_slots (
    source_id    VARCHAR NOT NULL,       -- 'orientation_demo' or 'rota:<file>'
    pharmacy_id  VARCHAR NOT NULL,
    starts_utc   TIMESTAMP NOT NULL,
    ends_utc     TIMESTAMP NOT NULL,
    starts_local VARCHAR NOT NULL,       -- as written in the file (ISO, local time)
    ends_local   VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,       -- night | sunday | holiday
    sector       VARCHAR,
    is_demo      BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE INDEX orientation_duty_slots_start ON orientation_duty_slots (starts_utc);
