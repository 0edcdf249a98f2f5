-- V001: reference data, org units, users and the registry of persons.
-- Applied once; never edited after landing (a later V file changes it).

-- Reference data -----------------------------------------------------------

CREATE TABLE reference_source (
    name        text PRIMARY KEY,
    edition     text NOT NULL,
    row_count   integer NOT NULL CHECK (row_count >= 0),
    checksum    text NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE reference_source IS '参考数据来源及版本 / edition of each loaded reference source';
COMMENT ON COLUMN reference_source.name IS '数据集名称 / data set name';
COMMENT ON COLUMN reference_source.edition IS '来源版本 / source edition';
COMMENT ON COLUMN reference_source.row_count IS '行数 / rows loaded';
COMMENT ON COLUMN reference_source.checksum IS '文件校验和 / SHA-256 of the source file';
COMMENT ON COLUMN reference_source.loaded_at IS '载入时间 / when it was loaded';

CREATE TABLE ethnic_group (
    code         char(2) PRIMARY KEY CHECK (code ~ '^[0-9]{2}$'),
    name_zh      text NOT NULL UNIQUE,
    romanised    text NOT NULL,
    letter_code  char(2) NOT NULL,
    is_extension boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE ethnic_group IS '民族 (GB/T 3304) / ethnic groups';
COMMENT ON COLUMN ethnic_group.code IS '数字代码 / numeric code';
COMMENT ON COLUMN ethnic_group.name_zh IS '民族名称 / Chinese name';
COMMENT ON COLUMN ethnic_group.romanised IS '罗马字母拼写 / romanised name';
COMMENT ON COLUMN ethnic_group.letter_code IS '字母代码 / two-letter code';
COMMENT ON COLUMN ethnic_group.is_extension IS '扩展代码(非56个民族) / extension row, not one of the 56';

CREATE TABLE division (
    code        char(6) PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name        text NOT NULL,
    level       smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
    parent_code char(6) REFERENCES division (code),
    CHECK ((level = 1) = (parent_code IS NULL))
);
CREATE INDEX division_parent_idx ON division (parent_code);
COMMENT ON TABLE division IS '行政区划 (GB/T 2260) / administrative divisions, for places of origin';
COMMENT ON COLUMN division.code IS '区划代码 / division code';
COMMENT ON COLUMN division.name IS '名称 / name';
COMMENT ON COLUMN division.level IS '级别: 1省 2地 3县 / level: 1 province, 2 prefecture, 3 county';
COMMENT ON COLUMN division.parent_code IS '上级区划 / parent division';

CREATE TABLE department (
    code     text PRIMARY KEY CHECK (code ~ '^[a-z_]+$'),
    name_zh  text NOT NULL UNIQUE,
    name_en  text NOT NULL,
    sort     smallint NOT NULL DEFAULT 0
);
COMMENT ON TABLE department IS '成员单位 / member departments';
COMMENT ON COLUMN department.code IS '代码 / code';
COMMENT ON COLUMN department.name_zh IS '中文名称 / Chinese name';
COMMENT ON COLUMN department.name_en IS '英文名称 / English name';
COMMENT ON COLUMN department.sort IS '排序 / display order';

-- Org units: the four-level network plus grids --------------------------------
-- The code is the statistical division code cut to its level's length
-- (city 4, district 6, street 9, community 12, grid 14 digits), so a unit's
-- subtree is exactly the codes that start with its code.

CREATE TABLE org_unit (
    code        text COLLATE "C" PRIMARY KEY,
    name        text NOT NULL,
    level       text NOT NULL
                CHECK (level IN ('city', 'district', 'street', 'community', 'grid')),
    parent_code text COLLATE "C" REFERENCES org_unit (code),
    city_code   char(4) NOT NULL GENERATED ALWAYS AS (left(code, 4)) STORED,
    stat_code   char(12),
    is_demo     boolean NOT NULL DEFAULT false,
    CHECK (code ~ '^[0-9]+$'),
    CHECK (length(code) = CASE level WHEN 'city' THEN 4 WHEN 'district' THEN 6
                                     WHEN 'street' THEN 9 WHEN 'community' THEN 12
                                     ELSE 14 END),
    CHECK ((level = 'city') = (parent_code IS NULL)),
    CHECK (parent_code IS NULL OR left(code, length(parent_code)) = parent_code)
);
CREATE INDEX org_unit_parent_idx ON org_unit (parent_code);
COMMENT ON TABLE org_unit IS '组织单元: 市/区县/街道/社区/网格 / org units: city, district, street, community, grid';
COMMENT ON COLUMN org_unit.code IS '单元代码(统计用区划代码按级截取) / unit code (statistical code cut to its level)';
COMMENT ON COLUMN org_unit.name IS '名称 / name';
COMMENT ON COLUMN org_unit.level IS '级别 / level';
COMMENT ON COLUMN org_unit.parent_code IS '上级单元 / parent unit';
COMMENT ON COLUMN org_unit.city_code IS '所属城市 / city the unit belongs to';
COMMENT ON COLUMN org_unit.stat_code IS '12位统计用区划代码 / 12-digit statistical code';
COMMENT ON COLUMN org_unit.is_demo IS '演示数据 / demo unit, not a real one';

-- Users --------------------------------------------------------------------------

CREATE TABLE app_user (
    name          text PRIMARY KEY CHECK (name ~ '^[a-z_][a-z0-9_.-]{0,47}$'),
    pg_role       text NOT NULL UNIQUE,
    display_name  text NOT NULL DEFAULT '',
    role_kind     text NOT NULL
                  CHECK (role_kind IN ('grid_worker', 'supervisor', 'admin', 'auditor')),
    org_code      text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL DEFAULT current_user
);
CREATE INDEX app_user_org_idx ON app_user (org_code);
COMMENT ON TABLE app_user IS '系统用户 / app users, each a PostgreSQL role';
COMMENT ON COLUMN app_user.name IS '登录名(操作系统用户名) / login name (the OS user)';
COMMENT ON COLUMN app_user.pg_role IS '数据库角色 / PostgreSQL role';
COMMENT ON COLUMN app_user.display_name IS '姓名 / display name';
COMMENT ON COLUMN app_user.role_kind IS '角色类型 / role kind';
COMMENT ON COLUMN app_user.org_code IS '管辖范围(单元代码前缀) / scope: org code prefix';
COMMENT ON COLUMN app_user.disabled_at IS '停用时间 / when disabled';
COMMENT ON COLUMN app_user.created_at IS '创建时间 / created at';
COMMENT ON COLUMN app_user.created_by IS '创建人 / created by';

-- Rows of personal data: stamp who changed them and when --------------------------

CREATE FUNCTION touch_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    NEW.updated_by := current_user;
    RETURN NEW;
END;
$$;

-- Persons (基础信息) ----------------------------------------------------------------
-- city_code leads every key of personal data so the tables can be distributed
-- by city without redesign.

CREATE TABLE person (
    city_code            char(4) NOT NULL,
    id                   uuid NOT NULL,
    org_code             text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    name                 text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    name_pinyin          text COLLATE "C" NOT NULL DEFAULT '',
    name_initials        text COLLATE "C" NOT NULL DEFAULT '',
    sex                  smallint NOT NULL CHECK (sex IN (1, 2)),
    ethnic_code          char(2) NOT NULL REFERENCES ethnic_group (code),
    birth_date           date NOT NULL,
    id_number_enc        bytea,
    id_number_hmac       bytea,
    id_number_masked     text,
    origin_division_code char(6) REFERENCES division (code),
    origin_address       text NOT NULL DEFAULT '',
    current_address      text NOT NULL DEFAULT '',
    occupation           text NOT NULL DEFAULT '',
    employer             text NOT NULL DEFAULT '',
    phone_enc            bytea,
    phone_hmac           bytea,
    phone_masked         text,
    arrival_date         date,
    residence_permit     text NOT NULL DEFAULT 'none'
                         CHECK (residence_permit IN ('none', 'applied', 'issued', 'expired')),
    languages            text[] NOT NULL DEFAULT '{}',
    interpreter_needed   boolean NOT NULL DEFAULT false,
    status               text NOT NULL DEFAULT 'registered'
                         CHECK (status IN ('registered', 'moved_out', 'left_city')),
    status_changed_on    date,
    notes                text NOT NULL DEFAULT '',
    anonymised_at        timestamptz,
    version              integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at           timestamptz NOT NULL DEFAULT now(),
    created_by           text NOT NULL DEFAULT current_user,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    updated_by           text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    UNIQUE (city_code, id_number_hmac),
    CHECK (city_code = left(org_code, 4)),
    CHECK (arrival_date IS NULL OR arrival_date >= birth_date),
    CHECK ((id_number_enc IS NULL) = (id_number_hmac IS NULL)),
    CHECK ((phone_enc IS NULL) = (phone_hmac IS NULL))
);
-- Keyset order of lists and the registry ledger: grid, then name reading.
CREATE INDEX person_org_pinyin_idx ON person (org_code, name_pinyin, id);
CREATE INDEX person_initials_idx ON person (name_initials);
CREATE INDEX person_phone_hmac_idx ON person (phone_hmac);
CREATE TRIGGER person_touch BEFORE UPDATE ON person FOR EACH ROW EXECUTE FUNCTION touch_row();

COMMENT ON TABLE person IS '少数民族流动人口基础信息 / registry of persons';
COMMENT ON COLUMN person.city_code IS '城市代码(分布键) / city code (distribution key)';
COMMENT ON COLUMN person.id IS '编号(客户端生成UUID) / id (client-made UUID)';
COMMENT ON COLUMN person.org_code IS '所属网格 / grid the person belongs to';
COMMENT ON COLUMN person.name IS '姓名 / name';
COMMENT ON COLUMN person.name_pinyin IS '姓名拼音(检索用) / name in pinyin, for search';
COMMENT ON COLUMN person.name_initials IS '拼音首字母(检索用) / pinyin initials, for search';
COMMENT ON COLUMN person.sex IS '性别: 1男 2女 (GB/T 2261.1) / sex: 1 male, 2 female';
COMMENT ON COLUMN person.ethnic_code IS '民族 (GB/T 3304) / ethnic group';
COMMENT ON COLUMN person.birth_date IS '出生日期 / date of birth';
COMMENT ON COLUMN person.id_number_enc IS '公民身份号码(AES-GCM加密) / resident ID number, encrypted';
COMMENT ON COLUMN person.id_number_hmac IS '身份号码盲索引(HMAC) / blind index of the ID number';
COMMENT ON COLUMN person.id_number_masked IS '身份号码(脱敏) / ID number, masked';
COMMENT ON COLUMN person.origin_division_code IS '来源地区划 (GB/T 2260) / place of origin';
COMMENT ON COLUMN person.origin_address IS '来源地详细地址 / address at the place of origin';
COMMENT ON COLUMN person.current_address IS '暂住地址 / current address in the city';
COMMENT ON COLUMN person.occupation IS '从事职业 / occupation';
COMMENT ON COLUMN person.employer IS '工作单位或经营场所 / employer or business';
COMMENT ON COLUMN person.phone_enc IS '联系电话(AES-GCM加密) / phone, encrypted';
COMMENT ON COLUMN person.phone_hmac IS '电话盲索引(HMAC) / blind index of the phone';
COMMENT ON COLUMN person.phone_masked IS '联系电话(脱敏) / phone, masked';
COMMENT ON COLUMN person.arrival_date IS '来市日期 / date of arrival in the city';
COMMENT ON COLUMN person.residence_permit IS '居住证状态 / residence permit status';
COMMENT ON COLUMN person.languages IS '使用语言 (ISO 639-1) / languages spoken';
COMMENT ON COLUMN person.interpreter_needed IS '需要翻译 / interpreter needed';
COMMENT ON COLUMN person.status IS '状态: 在册/已迁出/离市 / status: registered, moved out, left the city';
COMMENT ON COLUMN person.status_changed_on IS '状态变更日期 / date of the last status change';
COMMENT ON COLUMN person.notes IS '备注 / notes';
COMMENT ON COLUMN person.anonymised_at IS '匿名化时间 / when the record was anonymised';
COMMENT ON COLUMN person.version IS '版本号(乐观锁) / row version, for optimistic locking';
COMMENT ON COLUMN person.created_at IS '创建时间 / created at';
COMMENT ON COLUMN person.created_by IS '创建人 / created by';
COMMENT ON COLUMN person.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN person.updated_by IS '更新人 / updated by';

CREATE TABLE household_member (
    city_code      char(4) NOT NULL,
    id             uuid NOT NULL,
    person_id      uuid NOT NULL,
    org_code       text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    name           text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    relation       text NOT NULL
                   CHECK (relation IN ('spouse', 'child', 'parent', 'sibling', 'other')),
    sex            smallint NOT NULL CHECK (sex IN (1, 2)),
    birth_date     date NOT NULL,
    school_status  text NOT NULL DEFAULT 'n/a'
                   CHECK (school_status IN ('n/a', 'preschool', 'enrolled', 'not_enrolled')),
    notes          text NOT NULL DEFAULT '',
    version        integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL DEFAULT current_user,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     text NOT NULL DEFAULT current_user,
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, person_id) REFERENCES person (city_code, id) ON DELETE CASCADE,
    CHECK (city_code = left(org_code, 4))
);
CREATE INDEX household_member_person_idx ON household_member (city_code, person_id);
CREATE INDEX household_member_org_idx ON household_member (org_code);
CREATE TRIGGER household_member_touch BEFORE UPDATE ON household_member
    FOR EACH ROW EXECUTE FUNCTION touch_row();

COMMENT ON TABLE household_member IS '同住家庭成员 / household members';
COMMENT ON COLUMN household_member.city_code IS '城市代码(分布键) / city code (distribution key)';
COMMENT ON COLUMN household_member.id IS '编号 / id';
COMMENT ON COLUMN household_member.person_id IS '登记人 / the registered person';
COMMENT ON COLUMN household_member.org_code IS '所属网格 / grid';
COMMENT ON COLUMN household_member.name IS '姓名 / name';
COMMENT ON COLUMN household_member.relation IS '与登记人关系 / relation to the person';
COMMENT ON COLUMN household_member.sex IS '性别 / sex';
COMMENT ON COLUMN household_member.birth_date IS '出生日期 / date of birth';
COMMENT ON COLUMN household_member.school_status IS '就学情况 / schooling (children of school age)';
COMMENT ON COLUMN household_member.notes IS '备注 / notes';
COMMENT ON COLUMN household_member.version IS '版本号 / row version';
COMMENT ON COLUMN household_member.created_at IS '创建时间 / created at';
COMMENT ON COLUMN household_member.created_by IS '创建人 / created by';
COMMENT ON COLUMN household_member.updated_at IS '更新时间 / updated at';
COMMENT ON COLUMN household_member.updated_by IS '更新人 / updated by';

-- Consent to the processing of sensitive personal information (PIPL Art. 29) ---------

CREATE TABLE consent_record (
    city_code     char(4) NOT NULL,
    id            uuid NOT NULL,
    person_id     uuid NOT NULL,
    org_code      text COLLATE "C" NOT NULL REFERENCES org_unit (code),
    basis         text NOT NULL CHECK (basis IN ('consent', 'statutory_duty')),
    scope         text NOT NULL,
    given_on      date NOT NULL,
    recorded_by   text NOT NULL DEFAULT current_user,
    withdrawn_on  date,
    note          text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (city_code, id),
    FOREIGN KEY (city_code, person_id) REFERENCES person (city_code, id) ON DELETE CASCADE,
    CHECK (withdrawn_on IS NULL OR withdrawn_on >= given_on),
    CHECK (city_code = left(org_code, 4))
);
CREATE INDEX consent_record_person_idx ON consent_record (city_code, person_id);

COMMENT ON TABLE consent_record IS '个人信息处理同意记录 / consent to processing of personal information';
COMMENT ON COLUMN consent_record.city_code IS '城市代码 / city code';
COMMENT ON COLUMN consent_record.id IS '编号 / id';
COMMENT ON COLUMN consent_record.person_id IS '登记人 / the person';
COMMENT ON COLUMN consent_record.org_code IS '所属网格 / grid';
COMMENT ON COLUMN consent_record.basis IS '处理依据: 单独同意/法定职责 / legal basis: consent or statutory duty';
COMMENT ON COLUMN consent_record.scope IS '同意范围 / scope of the consent';
COMMENT ON COLUMN consent_record.given_on IS '同意日期 / date given';
COMMENT ON COLUMN consent_record.recorded_by IS '记录人 / recorded by';
COMMENT ON COLUMN consent_record.withdrawn_on IS '撤回日期 / date withdrawn';
COMMENT ON COLUMN consent_record.note IS '备注 / note';
COMMENT ON COLUMN consent_record.created_at IS '创建时间 / created at';
