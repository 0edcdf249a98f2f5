-- Ledgers (台账): views that offices print and export. Repeatable: re-applied when
-- this file changes. Every view is security_invoker, so row-level security applies
-- to whoever reads it, in the app and in psql alike.

-- Data quality (数据质量台账): registered persons lacking a 三必清 field (address of
-- origin, current address, occupation), as the person list's filter counts them. A record may be saved without them, with a warning,
-- and then stays here until it is completed.
CREATE OR REPLACE VIEW ledger_quality WITH (security_invoker = true) AS
SELECT c.name AS community,
       g.name AS grid,
       p.name,
       p.id_number_masked,
       p.origin_address = '' AS missing_origin,
       p.current_address = '' AS missing_current_address,
       p.occupation = '' AS missing_occupation,
       p.updated_at::date AS last_updated,
       p.org_code,
       p.city_code,
       p.id AS person_id
  FROM person p
  JOIN org_unit g ON g.code = p.org_code
  LEFT JOIN org_unit c ON c.code = g.parent_code
 WHERE p.status = 'registered'
   AND p.anonymised_at IS NULL
   AND (p.origin_address = '' OR p.current_address = '' OR p.occupation = '');
COMMENT ON VIEW ledger_quality IS '数据质量台账: 三必清信息缺失的在册人员 / registered persons missing a 三必清 field';
GRANT SELECT ON ledger_quality TO tongxin_app;
