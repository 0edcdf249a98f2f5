-- V021: one declaration for a row that points at another protected row.
--
-- The sweeps (V012) and the meetings (V014) each brought a way to declare such a
-- reference: kernel_table.refs with tx_refer()/tx_ref_guard(), and kernel_reference with
-- tx_reference()/tx_reference_guard(). They are one rule: the writer must see the row
-- pointed at. V012's also required that row to lie within the writing row's own unit (a
-- sweep re-checks only its own community's cases). This keeps kernel_reference, gives it
-- that second check as an option, moves the re-checks onto it and drops the other way.

ALTER TABLE kernel_reference
    ADD COLUMN within_unit boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN kernel_reference.within_unit IS
    '所指记录须在本记录的单位内 / the row pointed at must lie within this row''s own unit';

CREATE OR REPLACE FUNCTION tx_reference_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    row_new jsonb := to_jsonb(NEW);
    row_old jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
    ref kernel_reference;
    own text;
    org text;
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    PERFORM tx_acting_kind();
    FOR ref IN SELECT * FROM kernel_reference k WHERE k.table_name = TG_TABLE_NAME LOOP
        -- Checked when written; an edit of another column does not re-point it.
        CONTINUE WHEN row_new ->> ref.column_name IS NULL
                   OR row_new -> ref.column_name IS NOT DISTINCT FROM row_old -> ref.column_name;
        -- Looked up as the writer, under row-level security: a row they cannot see is
        -- not found, whatever the foreign key would have answered.
        EXECUTE format('SELECT %I FROM %I WHERE city_code = $1 AND id = $2',
                       (SELECT k.scope_column FROM kernel_table k
                         WHERE k.table_name = ref.target_table), ref.target_table)
           INTO org USING NEW.city_code, (row_new ->> ref.column_name)::uuid;
        IF org IS NULL THEN
            RAISE EXCEPTION '%: its % (%) is not found in your scope', TG_TABLE_NAME,
                ref.column_name, ref.target_table USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF ref.within_unit THEN
            own := row_new ->> (SELECT k.scope_column FROM kernel_table k
                                  WHERE k.table_name = TG_TABLE_NAME);
            IF NOT (org >= own AND org < own || ':') THEN
                RAISE EXCEPTION '%: its % (%) lies outside %', TG_TABLE_NAME, ref.column_name,
                    ref.target_table, own USING ERRCODE = 'check_violation';
            END IF;
        END IF;
    END LOOP;
    RETURN NEW;
END;
$$;

DROP FUNCTION tx_reference(text, text, text);
CREATE FUNCTION tx_reference(p_table text, p_column text, p_target text,
                             p_within_unit boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
-- p_column of p_table holds the id of a p_target row of the same city (both declared
-- with tx_protect first); p_within_unit: that row must lie within the row's own unit.
DECLARE
    not_bulk constant text := 'coalesce(current_setting(''tongxin.bulk_load'', true), '''') '
                              '<> ''on'' OR current_setting(''is_superuser'') <> ''on''';
BEGIN
    INSERT INTO kernel_reference (table_name, column_name, target_table, within_unit)
    VALUES (p_table, p_column, p_target, p_within_unit)
    ON CONFLICT (table_name, column_name) DO UPDATE
       SET target_table = EXCLUDED.target_table, within_unit = EXCLUDED.within_unit;
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', p_table || '_reference', p_table);
    -- Named to fire after the child check (`_child`), which sets the row's org code.
    PERFORM tx_trigger(p_table, '_reference', 'BEFORE INSERT OR UPDATE',
                       'FOR EACH ROW WHEN (' || not_bulk || ')', 'tx_reference_guard()');
END;
$$;
REVOKE ALL ON FUNCTION tx_reference(text, text, text, boolean) FROM PUBLIC;

DROP TRIGGER dispute_sweep_recheck_refs ON dispute_sweep_recheck;
SELECT tx_reference('dispute_sweep_recheck', 'case_id', 'dispute_case', p_within_unit => true);
DROP FUNCTION tx_refer(text, jsonb);
DROP FUNCTION tx_ref_guard();
ALTER TABLE kernel_table DROP COLUMN refs;
