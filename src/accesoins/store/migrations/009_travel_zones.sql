-- 009: road zones of communes (land masses from the contours, bridges merged, enclaves apart),
-- computed once per territory and links file; the road model never joins two zones but by a link.
CREATE TABLE travel_zones (
    zones_key    VARCHAR NOT NULL,
    code_commune VARCHAR NOT NULL,
    land_mass    INTEGER NOT NULL,
    zone         INTEGER NOT NULL
);
