-- V018: history follows the person.
--
-- After a hand-over the receiving grid sees the person's earlier visits, needs and
-- cases, read-only; the grid that handed over sees none of what comes after (the new
-- grid's records carry its org code, which the handing grid's scope does not hold).
-- The tables' policies stay as they are (scope by each row's own org code: fast on
-- the large tables and the ledgers); the earlier records come through this function,
-- which answers only for a person the caller can see now, and only with what the
-- person's record lists of each: date, kind, status, a summary, and the grid it was
-- written in. Rows the caller sees through the tables anyway are left out.

CREATE FUNCTION tx_person_history(p_city char(4), p_person uuid)
RETURNS TABLE (what text, id uuid, on_date date, kind text, status text, summary text,
               grid_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    scope text := tx_user_scope(audit_actor());
BEGIN
    IF scope IS NULL OR NOT EXISTS (
        SELECT 1 FROM person p
         WHERE p.city_code = p_city AND p.id = p_person
           AND p.org_code >= scope AND p.org_code < scope || ':') THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT 'visit', v.id, v.visited_on, v.kind, v.status, left(v.notes, 200), g.name
      FROM visit_person vp
      JOIN visit v ON v.city_code = vp.city_code AND v.id = vp.visit_id
      JOIN org_unit g ON g.code = v.org_code
     WHERE vp.city_code = p_city AND vp.person_id = p_person
       AND NOT (v.org_code >= scope AND v.org_code < scope || ':')
    UNION ALL
    SELECT 'need', a.id, a.raised_on, a.category, a.status, a.description, g.name
      FROM assistance_request a JOIN org_unit g ON g.code = a.org_code
     WHERE a.city_code = p_city AND a.person_id = p_person
       AND NOT (a.org_code >= scope AND a.org_code < scope || ':')
    UNION ALL
    SELECT DISTINCT 'case', c.id, c.opened_on, c.kind, c.status, c.summary, g.name
      FROM dispute_party dp
      JOIN dispute_case c ON c.city_code = dp.city_code AND c.id = dp.case_id
      JOIN org_unit g ON g.code = c.org_code
     WHERE dp.city_code = p_city AND dp.person_id = p_person
       AND NOT (c.org_code >= scope AND c.org_code < scope || ':')
     ORDER BY 3 DESC, 2;
END;
$$;
REVOKE ALL ON FUNCTION tx_person_history(char, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tx_person_history(char, uuid) TO tongxin_app;
