-- Consent records: a withdrawal carries its own note, and a record belongs to a person
-- the writer can see, in that person's grid.
--
-- V002 let a grid worker insert a consent record with their own grid's code for a
-- person of any grid (the foreign key does not look through row-level security), so
-- a record could be laid on someone they cannot see. The record's org_code is its
-- person's, as for every child row.

ALTER TABLE consent_record ADD COLUMN withdrawal_note text NOT NULL DEFAULT '';
COMMENT ON COLUMN consent_record.withdrawal_note IS '撤回说明 / note on the withdrawal';

DROP POLICY consent_record_insert ON consent_record;
DROP POLICY consent_record_update ON consent_record;
CREATE POLICY consent_record_insert ON consent_record FOR INSERT
    TO tongxin_grid_worker, tongxin_admin
    WITH CHECK (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':'
                AND EXISTS (SELECT 1 FROM person p
                             WHERE p.city_code = consent_record.city_code
                               AND p.id = consent_record.person_id
                               AND p.org_code = consent_record.org_code));
CREATE POLICY consent_record_update ON consent_record FOR UPDATE
    TO tongxin_grid_worker, tongxin_admin
    USING (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':')
    WITH CHECK (org_code >= (SELECT tx_scope()) AND org_code < (SELECT tx_scope()) || ':'
                AND EXISTS (SELECT 1 FROM person p
                             WHERE p.city_code = consent_record.city_code
                               AND p.id = consent_record.person_id
                               AND p.org_code = consent_record.org_code));
