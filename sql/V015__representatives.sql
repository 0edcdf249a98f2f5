-- V015: representatives (民族代表人士) and the 三必谈 rhythm of contacts with them.
--
-- A representative is appointed from the registry (a registered person) or by name (a
-- local imam or a deputy to the people's congress is no floating resident and is not
-- registered as one), with their standing, employer and post, social posts and the unit
-- that keeps them, and is retired once. The 三必谈: a phone talk every week, a
-- face-to-face talk every month, the symposium at Eid al-Adha (古尔邦节) every year.
--
-- Contacts with a registered representative are visits (kind phone_call, face_to_face or
-- home_visit, festival) with their person: the same form, the same review, the needs
-- found on them followed up like any other. A representative appointed by name has no
-- person a visit could be with, so their contacts are representative_contact rows: a
-- kind, a day, a place and notes, written once. (A registry row for them would put
-- them into the registry's ledgers and statistics and ask 三必清 fields that do not apply.)
-- A contact counts once it is on record: a visit when submitted or approved (a draft is
-- still being written, a returned one counts again when submitted), a contact row when
-- written.

-- The dates of Eid al-Adha, as observed in China (reference data) ---------------------------

CREATE TABLE eid_al_adha (
    year   smallint PRIMARY KEY CHECK (year BETWEEN 1900 AND 2200),
    day    date NOT NULL UNIQUE CHECK (extract(year FROM day) = year),
    basis  text NOT NULL CHECK (basis IN ('announced', 'expected'))
);
COMMENT ON TABLE eid_al_adha IS '古尔邦节日期(我国穆斯林过节的公历日期) / dates of Eid al-Adha as observed in China';
COMMENT ON COLUMN eid_al_adha.year IS '公历年 / Gregorian year';
COMMENT ON COLUMN eid_al_adha.day IS '古尔邦节(伊斯兰教历12月10日)的公历日期 / the day (10 Dhu al-Hijjah)';
COMMENT ON COLUMN eid_al_adha.basis IS '依据: 已公布/预计(待中国伊协公布) / announced, or expected until announced';

REVOKE ALL ON eid_al_adha FROM PUBLIC, tongxin_app, tongxin_grid_worker, tongxin_supervisor,
    tongxin_admin, tongxin_auditor;
GRANT SELECT ON eid_al_adha TO tongxin_app;
-- Changed only through `tongxin seed reference`, audited one row per statement (V010).
CREATE TRIGGER eid_al_adha_audit_insert AFTER INSERT ON eid_al_adha
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
CREATE TRIGGER eid_al_adha_audit_update AFTER UPDATE ON eid_al_adha
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
CREATE TRIGGER eid_al_adha_audit_delete AFTER DELETE ON eid_al_adha
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement();
ALTER TABLE eid_al_adha ENABLE ALWAYS TRIGGER eid_al_adha_audit_insert;
ALTER TABLE eid_al_adha ENABLE ALWAYS TRIGGER eid_al_adha_audit_update;
ALTER TABLE eid_al_adha ENABLE ALWAYS TRIGGER eid_al_adha_audit_delete;

-- Representatives ----------------------------------------------------------------------------

CREATE TABLE representative (
    city_code        char(4) NOT NULL,
    id               uuid NOT NULL,
    org_code         text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    person_id        uuid,
    name             text CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    sex              smallint CHECK (sex IN (1, 2)),
    ethnic_code      char(2) REFERENCES ethnic_group (code),
    birth_date       date,
    standing         text NOT NULL CHECK (standing IN ('ethnic', 'religious', 'clergy',
                                                       'informant', 'other')),
    employer         text NOT NULL DEFAULT '' CHECK (length(employer) <= 100),
    post             text NOT NULL DEFAULT '' CHECK (length(post) <= 60),
    social_posts     text NOT NULL DEFAULT '' CHECK (length(social_posts) <= 200),
    appointed_on     date NOT NULL,
    retired_on       date,
    retirement_note  text NOT NULL DEFAULT '' CHECK (length(retirement_note) <= 500),
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL DEFAULT current_user,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, person_id) REFERENCES person (city_code, id) ON DELETE CASCADE,
    CHECK (city_code = left(org_code, 4)),
    -- From the registry: who they are is the person's record. By name: held here.
    CHECK (CASE WHEN person_id IS NULL
                THEN name IS NOT NULL AND sex IS NOT NULL AND ethnic_code IS NOT NULL
                     AND birth_date IS NOT NULL
                ELSE name IS NULL AND sex IS NULL AND ethnic_code IS NULL AND birth_date IS NULL
           END),
    CHECK (birth_date IS NULL OR birth_date < appointed_on),
    CHECK (retired_on IS NULL OR retired_on >= appointed_on),
    -- A note alone would make the retirement (written once) impossible.
    CHECK (retired_on IS NOT NULL OR retirement_note = '')
);
-- A person holds one appointment at a time; a retired one may be appointed anew.
CREATE UNIQUE INDEX representative_active_person_idx ON representative (city_code, person_id)
    WHERE retired_on IS NULL AND person_id IS NOT NULL;
CREATE INDEX representative_org_idx ON representative (org_code, appointed_on);

COMMENT ON TABLE representative IS '民族代表人士(三必谈对象) / representatives, contacted by the 三必谈 rhythm';
COMMENT ON COLUMN representative.city_code IS '城市代码(分布键) / city code (distribution key)';
COMMENT ON COLUMN representative.id IS '编号(客户端生成UUID) / id (client-made UUID)';
COMMENT ON COLUMN representative.org_code IS '联系单位(登记人员: 其所在网格) / unit that keeps them (a registered person''s grid)';
COMMENT ON COLUMN representative.person_id IS '登记人员(如从登记中选定) / the registered person, when appointed from the registry';
COMMENT ON COLUMN representative.name IS '姓名(未登记者) / name (appointed by name)';
COMMENT ON COLUMN representative.sex IS '性别(未登记者) / sex (appointed by name)';
COMMENT ON COLUMN representative.ethnic_code IS '民族(未登记者) / ethnic group (appointed by name)';
COMMENT ON COLUMN representative.birth_date IS '出生日期(未登记者) / date of birth (appointed by name)';
COMMENT ON COLUMN representative.standing IS '身份: 少数民族代表人士/宗教界代表人士/宗教教职人员/民族宗教信息员/其他 / standing';
COMMENT ON COLUMN representative.employer IS '工作单位 / employer';
COMMENT ON COLUMN representative.post IS '职务 / post';
COMMENT ON COLUMN representative.social_posts IS '社会职务(人大代表、政协委员等) / social posts (deputy, CPPCC member …)';
COMMENT ON COLUMN representative.appointed_on IS '确定日期 / appointed on';
COMMENT ON COLUMN representative.retired_on IS '退出日期 / retired on';
COMMENT ON COLUMN representative.retirement_note IS '退出原因 / why retired';
COMMENT ON COLUMN representative.version IS '版本号 / row version';
COMMENT ON COLUMN representative.created_at IS '创建时间 / created at';
COMMENT ON COLUMN representative.created_by IS '创建人 / created by';
COMMENT ON COLUMN representative.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN representative.updated_by IS '更新人 / updated by';

-- Grid workers and admins appoint in their scope, a registered person only when they see
-- them (the row then lies in the person's grid); they retire, once, and change nothing
-- else: the app edits nothing else, so psql may not either.
SELECT tx_protect('representative', p_person => 'person_id',
                  p_columns => ARRAY['retired_on', 'retirement_note', 'version'],
                  p_once => ARRAY['retired_on', 'retirement_note']);

CREATE TABLE representative_contact (
    city_code          char(4) NOT NULL,
    id                 uuid NOT NULL,
    org_code           text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    representative_id  uuid NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('phone_call', 'face_to_face', 'festival')),
    contacted_on       date NOT NULL,
    place              text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    notes              text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by         text NOT NULL DEFAULT current_user,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    updated_by         text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, representative_id) REFERENCES representative (city_code, id)
        ON DELETE CASCADE,
    CHECK (city_code = left(org_code, 4))
);
CREATE INDEX representative_contact_rep_idx
    ON representative_contact (city_code, representative_id, contacted_on);
COMMENT ON TABLE representative_contact IS '与未登记代表人士的联系记录 / contacts with a representative appointed by name';
COMMENT ON COLUMN representative_contact.city_code IS '城市代码 / city code';
COMMENT ON COLUMN representative_contact.id IS '编号(客户端生成UUID) / id (client-made UUID)';
COMMENT ON COLUMN representative_contact.org_code IS '所属单元(同代表人士) / unit (that of the representative)';
COMMENT ON COLUMN representative_contact.representative_id IS '代表人士 / the representative';
COMMENT ON COLUMN representative_contact.kind IS '方式: 电话联系/当面谈话/节庆座谈 / phone call, face-to-face talk, festival gathering';
COMMENT ON COLUMN representative_contact.contacted_on IS '联系日期 / date of the contact';
COMMENT ON COLUMN representative_contact.place IS '地点 / place';
COMMENT ON COLUMN representative_contact.notes IS '情况记录 / notes';
COMMENT ON COLUMN representative_contact.created_at IS '创建时间 / created at';
COMMENT ON COLUMN representative_contact.created_by IS '创建人 / created by';
COMMENT ON COLUMN representative_contact.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN representative_contact.updated_by IS '更新人 / updated by';

-- Written once, under a representative the writer sees (the row takes its unit).
SELECT tx_protect('representative_contact', p_parent => 'representative',
                  p_parent_column => 'representative_id', p_columns => ARRAY[]::text[]);

-- The rules dates and kinds follow, for every app role --------------------------------------
-- Dates are the office's (China Standard Time, as the app's clock). Operators (imports,
-- the demo's history) are not held to them.

CREATE OR REPLACE FUNCTION tx_office_today() RETURNS date
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date
$$;

CREATE FUNCTION tx_representative_rules() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.retired_on IS NOT NULL THEN
        RAISE EXCEPTION 'representative: appointed first, retired later'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.appointed_on > tx_office_today() OR NEW.retired_on > tx_office_today() THEN
        RAISE EXCEPTION 'representative: a date in the future' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER representative_rules BEFORE INSERT OR UPDATE ON representative
    FOR EACH ROW EXECUTE FUNCTION tx_representative_rules();
ALTER TABLE representative ENABLE ALWAYS TRIGGER representative_rules;

-- A contact row is for a representative appointed by name (a registered one's contacts
-- are visits, reviewed), while they serve, and not in the future. The parent is read as
-- the writer, who sees it (the child guard has checked).
CREATE FUNCTION tx_representative_contact_rules() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    SELECT rep.person_id, rep.appointed_on, rep.retired_on INTO r
      FROM representative rep
     WHERE rep.city_code = NEW.city_code AND rep.id = NEW.representative_id;
    IF r.person_id IS NOT NULL THEN
        RAISE EXCEPTION 'representative_contact: a registered person''s contacts are visits'
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.contacted_on < r.appointed_on OR NEW.contacted_on > coalesce(r.retired_on, tx_office_today())
       OR NEW.contacted_on > tx_office_today() THEN
        RAISE EXCEPTION 'contacted_on: not while they serve as a representative'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER representative_contact_rules BEFORE INSERT OR UPDATE ON representative_contact
    FOR EACH ROW EXECUTE FUNCTION tx_representative_contact_rules();
ALTER TABLE representative_contact ENABLE ALWAYS TRIGGER representative_contact_rules;

-- A registered representative handed over to another grid is kept there, with them.
CREATE FUNCTION tx_representative_follows_person() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE representative SET org_code = NEW.org_code, version = version + 1
     WHERE city_code = NEW.city_code AND person_id = NEW.id AND org_code <> NEW.org_code;
    RETURN NULL;
END;
$$;
CREATE TRIGGER person_representative_follows AFTER UPDATE OF org_code ON person
    FOR EACH ROW WHEN (OLD.org_code IS DISTINCT FROM NEW.org_code)
    EXECUTE FUNCTION tx_representative_follows_person();
ALTER TABLE person ENABLE ALWAYS TRIGGER person_representative_follows;

-- The 三必谈 rhythm ---------------------------------------------------------------------------
-- Weekly and monthly: ISO weeks (Monday to Sunday) and calendar months. The period of the
-- appointment is the newcomer's grace: the first period owed is the one after it. A talk
-- in the current period makes it 'done'; otherwise the next talk is owed by the end of
-- the period after the last talk (or after the appointment): 'due' until that day,
-- 'overdue' after it.
CREATE FUNCTION representative_period_state(p_unit text, p_appointed date, p_last date,
                                            p_today date, OUT state text, OUT due date)
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    WITH s AS (
        SELECT date_trunc(p_unit, p_today::timestamp)::date AS current_start,
               greatest(date_trunc(p_unit, p_last::timestamp) + ('1 ' || p_unit)::interval,
                        date_trunc(p_unit, p_appointed::timestamp) + ('1 ' || p_unit)::interval)
                   AS owed_start
    )
    SELECT CASE WHEN p_last >= s.current_start THEN 'done'
                WHEN (s.owed_start + ('1 ' || p_unit)::interval)::date - 1 >= p_today THEN 'due'
                ELSE 'overdue' END,
           (s.owed_start + ('1 ' || p_unit)::interval)::date - 1
      FROM s
$$;

-- Yearly: the symposium at Eid al-Adha counts when held from 14 days before the Eid to 7
-- days after it (representatives are invited to the symposium before the festival; a
-- late one still falls in its week). A window owed is one that opened after the
-- appointment. 'done': the latest window opened was attended; 'upcoming': the next window
-- owed has not opened yet; 'due': it is open; 'overdue': it closed unattended (until the
-- next one is attended). Past the table's last year nothing is known (NULL).
CREATE FUNCTION representative_rhythm(p_today date)
RETURNS TABLE (city_code char(4), id uuid, org_code text, person_id uuid, name text,
               standing text, appointed_on date,
               last_phone date, phone_state text, phone_due date,
               last_face date, face_state text, face_due date,
               last_eid date, eid_state text, eid_due date, eid_day date,
               state text)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    WITH active AS (
        SELECT r.city_code, r.id, r.org_code::text AS org_code, r.person_id,
               coalesce(p.name, r.name) AS name, r.standing, r.appointed_on
          FROM representative r
          LEFT JOIN person p ON p.city_code = r.city_code AND p.id = r.person_id
         WHERE r.appointed_on <= p_today AND (r.retired_on IS NULL OR r.retired_on > p_today)
    ),
    contact AS (
        SELECT a.city_code, a.id, v.kind, v.visited_on AS day
          FROM active a
          JOIN visit_person vp ON vp.city_code = a.city_code AND vp.person_id = a.person_id
          JOIN visit v ON v.city_code = vp.city_code AND v.id = vp.visit_id
         WHERE v.status IN ('submitted', 'approved')
           AND v.visited_on BETWEEN a.appointed_on AND p_today
        UNION ALL
        SELECT a.city_code, a.id, c.kind, c.contacted_on
          FROM active a
          JOIN representative_contact c
            ON c.city_code = a.city_code AND c.representative_id = a.id
         WHERE c.contacted_on BETWEEN a.appointed_on AND p_today
    ),
    window_ AS (
        SELECT e.year, e.day, e.day - 14 AS opens, e.day + 7 AS closes FROM eid_al_adha e
    ),
    -- One pass over the contacts: the last of each kind, an Eid symposium only in its
    -- window.
    last_talk AS (
        SELECT c.city_code, c.id,
               max(c.day) FILTER (WHERE c.kind = 'phone_call') AS last_phone,
               max(c.day) FILTER (WHERE c.kind IN ('face_to_face', 'home_visit')) AS last_face,
               max(c.day) FILTER (WHERE w.year IS NOT NULL) AS last_eid
          FROM contact c
          LEFT JOIN window_ w ON c.kind = 'festival' AND c.day BETWEEN w.opens AND w.closes
         GROUP BY c.city_code, c.id
    ),
    eid AS (
        SELECT a.*, t.last_phone, t.last_face, t.last_eid,
               (SELECT w.year FROM window_ w WHERE t.last_eid BETWEEN w.opens AND w.closes)
                   AS attended_year,
               (SELECT max(w.year) FROM window_ w WHERE w.opens <= p_today) AS opened_year
          FROM active a LEFT JOIN last_talk t ON t.city_code = a.city_code AND t.id = a.id
    )
    SELECT e.city_code, e.id, e.org_code, e.person_id, e.name, e.standing, e.appointed_on,
           e.last_phone, phone.state, phone.due,
           e.last_face, face.state, face.due,
           e.last_eid, owed.eid_state, owed.closes, owed.day,
           CASE WHEN 'overdue' IN (phone.state, face.state, owed.eid_state) THEN 'overdue'
                WHEN 'due' IN (phone.state, face.state, owed.eid_state) THEN 'due'
                ELSE 'done' END
      FROM eid e
     CROSS JOIN LATERAL representative_period_state('week', e.appointed_on, e.last_phone,
                                                    p_today) phone
     CROSS JOIN LATERAL representative_period_state('month', e.appointed_on, e.last_face,
                                                    p_today) face
     LEFT JOIN LATERAL (
         SELECT w.day, w.closes,
                CASE WHEN e.attended_year = e.opened_year THEN 'done'
                     WHEN w.year IS NULL THEN NULL
                     WHEN w.opens > p_today THEN 'upcoming'
                     WHEN w.closes >= p_today THEN 'due'
                     ELSE 'overdue' END AS eid_state
           FROM (SELECT 1) one
           LEFT JOIN LATERAL (
               SELECT * FROM window_ w
                WHERE w.year > coalesce(e.attended_year, 0) AND w.opens > e.appointed_on
                ORDER BY w.year LIMIT 1
           ) w ON true
     ) owed ON true
$$;
COMMENT ON FUNCTION representative_rhythm(date) IS
    '三必谈: 在任代表人士的最近联系与是否到期、逾期 / the 三必谈 rhythm of active representatives on a day';
GRANT EXECUTE ON FUNCTION representative_rhythm(date) TO tongxin_app;
GRANT EXECUTE ON FUNCTION representative_period_state(text, date, date, date) TO tongxin_app;
GRANT EXECUTE ON FUNCTION tx_office_today() TO tongxin_app;
