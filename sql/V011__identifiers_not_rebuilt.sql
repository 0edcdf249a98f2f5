-- V011: identifiers that cannot be rebuilt from what a role reads.

-- The masked ID ------------------------------------------------------------------
-- An ID number is region (6) + birth date (8) + sequence (3, its last digit odd for
-- men) + a check character computed from the 17 before it. Every role reads the
-- place of origin, the birth date and the sex of the persons in its scope, so the
-- old mask 4101**********1234, which showed the last four characters, gave the
-- whole number back.
--
-- The mask now shows the first four characters only: 4101************** (province
-- and prefecture of issue, which the place of origin tells anyway). Safe because
-- everything still hidden is the sequence number and the check character, and the
-- check character adds nothing once the rest is guessed: of the 1,000 sequences,
-- the 500 of the person's sex all agree with what a role reads, so 500 ID numbers
-- do (the bound is 100; tests/db/test_id_not_rebuilt.py enumerates them as each
-- role kind). Showing one more character would leave 100 (the 17th digit), 50 (the
-- 15th or 16th) or about 45 (the check character).
--
-- The phone mask stays 138****5678: nothing a role reads says anything of the four
-- hidden digits (a phone number has no check digit), so 10,000 numbers agree with
-- it, and the search by the last four digits keeps working on the masked copy.
--
-- The new mask is the old one's first four characters, so no value is decrypted.
-- Every stored row is re-masked; the audit trail logs it like any change, and the
-- row version stays, so an edit under way still saves. The check then holds every
-- writer to the form, psql users included.

UPDATE person
   SET id_number_masked = left(id_number_masked, 4) || repeat('*', 14)
 WHERE id_number_masked IS NOT NULL
   AND id_number_masked IS DISTINCT FROM left(id_number_masked, 4) || repeat('*', 14);

ALTER TABLE person ADD CONSTRAINT person_id_number_masked_form
    CHECK (id_number_masked ~ '^[0-9]{4}[*]{14}$');
COMMENT ON COLUMN person.id_number_masked IS
    '身份号码(脱敏,仅显示前4位) / ID number, masked: its first four characters only';
