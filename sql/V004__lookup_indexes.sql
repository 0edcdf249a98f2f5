-- V004: exact lookup by resident ID without knowing the city.
-- The unique key (city_code, id_number_hmac) serves duplicate checks within a
-- city; a search by ID number comes with a scope, not a city, and scanned that
-- whole index (1.8 ms at 20,000 persons, growing with the registry).
CREATE INDEX person_id_number_hmac_idx ON person (id_number_hmac);
