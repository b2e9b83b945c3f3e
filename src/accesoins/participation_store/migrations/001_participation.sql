-- 001: accounts and sessions, questionnaires and their review, anonymous responses,
-- sites, participation directory, audit log. No table holds an IP address or a
-- respondent's identity; responses carry only their quarter, not a timestamp.

CREATE TABLE organisations (
    organisation_id VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,      -- association | site | platform
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE accounts (
    account_id      VARCHAR PRIMARY KEY,
    login           VARCHAR NOT NULL UNIQUE,
    display_name    VARCHAR NOT NULL,
    password_hash   VARCHAR NOT NULL,      -- argon2id, salt and parameters included
    role            VARCHAR NOT NULL,      -- editor | site_manager | admin
    organisation_id VARCHAR NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE sessions (
    token_digest VARCHAR PRIMARY KEY,      -- SHA-256 of the cookie's token, never the token
    account_id   VARCHAR NOT NULL,
    csrf_token   VARCHAR NOT NULL,
    created_at   DOUBLE NOT NULL,          -- epoch seconds
    last_seen    DOUBLE NOT NULL
);

CREATE TABLE questionnaire_versions (
    questionnaire_id VARCHAR NOT NULL,
    version          INTEGER NOT NULL,
    status           VARCHAR NOT NULL,     -- draft | submitted | published | rejected | archived
    definition       JSON NOT NULL,
    organisation_id  VARCHAR NOT NULL,     -- the organisation that authored this version
    created_by       VARCHAR NOT NULL,
    created_at       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    submitted_at     TIMESTAMP,
    reviewed_by      VARCHAR,
    reviewed_at      TIMESTAMP,
    review_note      VARCHAR,
    PRIMARY KEY (questionnaire_id, version)
);

CREATE TABLE responses (
    response_id      VARCHAR PRIMARY KEY,  -- the form's idempotency token: a double submit is counted once
    questionnaire_id VARCHAR NOT NULL,
    version          INTEGER NOT NULL,
    site_id          VARCHAR NOT NULL,
    site_kind        VARCHAR NOT NULL,     -- finess | local
    quarter          VARCHAR NOT NULL,     -- 2026-T1: the only time information kept
    easy_read        BOOLEAN NOT NULL,
    answers          JSON NOT NULL
);

CREATE TABLE sites (
    site_id         VARCHAR PRIMARY KEY,
    kind            VARCHAR NOT NULL,      -- finess | local
    name            VARCHAR NOT NULL,
    code_commune    VARCHAR,
    organisation_id VARCHAR NOT NULL,
    updated_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE directory_people (
    person_id       VARCHAR PRIMARY KEY,
    display_name    VARCHAR,
    role            VARCHAR NOT NULL,      -- patient_partenaire | representant_usagers
    domains         JSON NOT NULL,         -- list of: qualite | accompagnement | formation | recherche
    structure       VARCHAR,
    territory       VARCHAR,
    term_start      DATE,
    term_end        DATE,
    contact_email   VARCHAR,
    contact_phone   VARCHAR,
    consent         JSON NOT NULL,         -- field -> true when the person agrees to publish it
    organisation_id VARCHAR NOT NULL,
    updated_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE participatory_structures (
    structure_id    VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,      -- centre_de_sante | maison_de_sante
    code_commune    VARCHAR,
    governance      VARCHAR NOT NULL,
    inhabitants     VARCHAR NOT NULL,      -- how inhabitants are involved
    website         VARCHAR,
    contact         VARCHAR,
    organisation_id VARCHAR NOT NULL,
    updated_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE audit_seq START 1;

CREATE TABLE audit_log (
    audit_id   BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    happened_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    account_id VARCHAR NOT NULL,
    role       VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,
    entity     VARCHAR NOT NULL,
    entity_id  VARCHAR NOT NULL,
    before     JSON,
    after      JSON
);
