"""The ledgers there are: each one's view, titles, filters, columns and order.

A ledger's rows for a scope (an org code: its unit and everything under it) and,
where it takes one, a month, come from one statement per ledger (`source`), with
$1 the scope and $2 the month (NULL: every month). Pages and exports read the same
statement, in the order of the ledger's key. The statements are fixed text here;
values always travel as parameters.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from db.core.errors import UserError
from db.ledgers.columns import COLUMNS, FOUND_BY_KIND, Column

IN_SCOPE = "org_code >= $1 AND org_code < $1 || ':'"


class UnknownLedger(UserError):
    """No ledger has the name given."""


class KeyPart(BaseModel):
    """One column of a ledger's keyset order, with its SQL type (for the parameters)."""

    model_config = ConfigDict(frozen=True)

    name: str
    sql_type: str


class Ledger(BaseModel):
    """One ledger: where its rows come from and how they are shown."""

    model_config = ConfigDict(frozen=True)

    name: str
    view: str
    zh: str
    en: str
    by_month: bool
    columns: tuple[str, ...]
    key: tuple[KeyPart, ...]
    source: str
    numbered: bool = True
    apart: str | None = None  # a boolean column: its true rows are listed after the rest
    totals: bool = False  # a last row adding up the counts
    month_needed: bool = False  # a report of one month: an export names it

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    @property
    def shown(self) -> list[Column]:
        """The columns on paper and on screen, 序号 first where rows are numbered."""
        names = ("seq", *self.columns) if self.numbered else self.columns
        return [COLUMNS[name] for name in names]

    @property
    def read(self) -> list[str]:
        """What a read returns for each row: the shown columns, then the key's."""
        extra = [k.name for k in self.key if k.name not in self.columns]
        apart = [self.apart] if self.apart and self.apart not in extra else []
        return [*self.columns, *extra, *apart]


def _listed(view: str, columns: tuple[str, ...], key: tuple[KeyPart, ...], *,
            dated_by: str | None = None, apart: str | None = None) -> str:  # fmt: skip
    """Rows of a listing view; `dated_by` names the date column a month is chosen by, as a
    range, so that the view's index on it serves (the view's `month` would not)."""
    names = [*columns, *(k.name for k in key if k.name not in columns)]
    if apart and apart not in names:
        names.append(apart)
    month = "$2::date IS NULL"
    if dated_by is not None:
        month = (f"($2::date IS NULL OR ({dated_by} >= $2::date "
                 f"AND {dated_by} < ($2::date + interval '1 month')))")  # fmt: skip
    return f"SELECT {', '.join(names)} FROM {view} WHERE {IN_SCOPE} AND {month}"


def _counted(view: str, category: tuple[str, ...], sort_key: str) -> str:
    """A statistic of a scope: its grids' rows added up per category."""
    groups = ", ".join(category)
    return (
        f"SELECT {groups}, {sort_key} AS sort_key, sum(persons)::bigint AS persons, "
        f"sum(male)::bigint AS male, sum(female)::bigint AS female FROM {view} "
        f"WHERE {IN_SCOPE} AND $2::date IS NULL GROUP BY {groups}"
    )


def _summed(view: str, category: tuple[str, ...], sort_key: str, counts: tuple[str, ...]) -> str:
    """A statistic of a scope: its grids' rows added up per category, these counts."""
    groups = ", ".join(category)
    sums = ", ".join(f"sum({c})::bigint AS {c}" for c in counts)
    return (
        f"SELECT {groups}, {sort_key} AS sort_key, {sums} FROM {view} "
        f"WHERE {IN_SCOPE} AND $2::date IS NULL GROUP BY {groups}"
    )


# The monthly dispute report of a scope (report_disputes_monthly): the units whose month
# counts (sweep approved), each, then added up for every street, district (and city) of
# the scope down to them, the scope's own total last; rates worked out from the sums.
# Units whose month does not count yet are listed apart, each alone. The sort key puts a
# unit before the subtotal of the unit above it ('~' sorts after every digit).
_MONTH_OF_REPORT = "coalesce($2::date, date_trunc('month', tx_office_today())::date)"
_REPORT_COUNTS = ("found", "mediated", "resolved", "found_ytd", "mediated_ytd", "resolved_ytd",
                  *FOUND_BY_KIND)  # fmt: skip


def _rate(part: str, whole: str) -> str:
    return f"round({part}::numeric / nullif({whole}, 0), 4)::float8"


def _report_columns(prefix: str) -> str:
    counts = {c: f"{prefix}{c}" for c in _REPORT_COUNTS}
    rates = {
        "mediation_rate": _rate(counts["mediated"], counts["found"]),
        "success_rate": _rate(counts["resolved"], counts["found"]),
        "mediation_rate_ytd": _rate(counts["mediated_ytd"], counts["found_ytd"]),
        "success_rate_ytd": _rate(counts["resolved_ytd"], counts["found_ytd"]),
    }
    return ", ".join(f"{rates.get(c, counts.get(c))} AS {c}" for c in _REPORT_FIGURES)


_REPORT_FIGURES = (
    "found", "mediated", "mediation_rate", "resolved", "success_rate", "found_ytd",
    "mediated_ytd", "mediation_rate_ytd", "resolved_ytd", "success_rate_ytd", *FOUND_BY_KIND,
)  # fmt: skip
_REPORT_SUMS = ", ".join(f"sum(r.{c})::bigint AS {c}" for c in _REPORT_COUNTS)
REPORT = f"""
WITH r AS (
    SELECT * FROM report_disputes_monthly
     WHERE {IN_SCOPE} AND month = {_MONTH_OF_REPORT}
), lv AS (
    SELECT DISTINCT l AS len FROM unnest(ARRAY[length($1), 6, 9, 12, 14]) AS l
     WHERE l >= length($1)
), added AS (
    SELECT lv.len, left(r.org_code, lv.len) AS code, bool_or(lv.len = length(r.org_code)) AS leaf,
           min(r.sweep_state) AS sweep_state, {_REPORT_SUMS}
      FROM r JOIN lv ON lv.len <= length(r.org_code)
     WHERE r.counted
     GROUP BY lv.len, left(r.org_code, lv.len)
)
SELECT CASE WHEN a.leaf THEN u.name WHEN a.len = length($1) THEN u.name || ' 合计'
            ELSE u.name || ' 小计' END AS unit,
       CASE WHEN a.leaf THEN a.sweep_state END AS sweep_state, {_report_columns("a.")},
       false AS pending, rpad(a.code, 15, '~') AS sort_key
  FROM added a JOIN org_unit u ON u.code = a.code
UNION ALL
SELECT r.unit, r.sweep_state, {_report_columns("r.")}, true, r.org_code
  FROM r WHERE NOT r.counted
"""

# Months of a scope, and for one month the same for each unit directly under it, from
# the counts of V022 (person_month_count: a unit's events, a hand-over only where it
# crosses the unit's boundary, each in the month it counts in). Registered at a month's
# end adds up every change up to that month.
MONTHLY = """
WITH unit AS (
    SELECT u.code::text AS code, u.name, u.code = $1 AS is_total
      FROM org_unit u
     WHERE u.code = $1 OR ($2::date IS NOT NULL AND u.parent_code = $1)
), counted AS (
    SELECT c.org_code::text AS code, c.month,
           sum(c.events) FILTER (WHERE c.event = 'arrived') AS arrived,
           sum(c.events) FILTER (WHERE c.event = 'returned') AS returned,
           sum(c.events) FILTER (WHERE c.event = 'moved_in') AS moved_in,
           sum(c.events) FILTER (WHERE c.event = 'moved_out') AS moved_out,
           sum(c.events) FILTER (WHERE c.event = 'left') AS left_city,
           sum(c.events * ledger_event_change(c.event)) AS net
      FROM person_month_count c
     WHERE c.city_code = left($1, 4) AND c.org_code IN (SELECT code FROM unit)
       AND ($2::date IS NULL OR c.month <= $2::date)
     GROUP BY c.org_code, c.month
), span AS (
    SELECT coalesce($2::date, min(d.month)) AS first_month,
           coalesce($2::date, greatest(max(d.month),
                    date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date)) AS last_month
      FROM counted d WHERE d.code = $1 OR $2::date IS NOT NULL
)
SELECT m.month::date AS month, u.name AS unit, u.is_total, u.code AS unit_code,
       coalesce(d.arrived, 0)::bigint AS arrived, coalesce(d.returned, 0)::bigint AS returned,
       coalesce(d.moved_in, 0)::bigint AS moved_in, coalesce(d.moved_out, 0)::bigint AS moved_out,
       coalesce(d.left_city, 0)::bigint AS left_city,
       coalesce((SELECT sum(b.net) FROM counted b
                  WHERE b.code = u.code AND b.month <= m.month::date), 0)::bigint AS registered
  FROM unit u
 CROSS JOIN span s
 CROSS JOIN LATERAL generate_series(s.first_month, s.last_month, interval '1 month') AS m(month)
  LEFT JOIN counted d ON d.code = u.code AND d.month = m.month::date
"""

_PERSON_KEY = (
    KeyPart(name="org_code", sql_type="text"),
    KeyPart(name="name_pinyin", sql_type="text"),
    KeyPart(name="person_id", sql_type="uuid"),
)
_REGISTRY_COLUMNS = (
    "name", "sex", "ethnicity", "birth_date", "id_number_masked", "origin_place",
    "origin_address", "current_address", "occupation", "employer", "phone_masked",
    "arrival_date", "residence_permit", "community", "grid", "notes",
)  # fmt: skip
_QUALITY_COLUMNS = (
    "community", "grid", "name", "id_number_masked", "missing_origin",
    "missing_current_address", "missing_occupation", "last_updated",
)  # fmt: skip
_VISIT_COLUMNS = (
    "visited_on", "kind", "visited_persons", "place", "visit_notes", "needs", "visitor",
    "review_status", "reviewed_on", "community", "grid",
)  # fmt: skip
_VISIT_KEY = (
    KeyPart(name="pending", sql_type="boolean"),
    KeyPart(name="org_code", sql_type="text"),
    KeyPart(name="visited_on", sql_type="date"),
    KeyPart(name="id", sql_type="uuid"),
)
_COUNTS = ("persons", "male", "female")
_SORTED = (KeyPart(name="sort_key", sql_type="text"),)
_MONTHLY_KEY = (
    KeyPart(name="month", sql_type="date"),
    KeyPart(name="is_total", sql_type="boolean"),
    KeyPart(name="unit_code", sql_type="text"),
)
_MONTHLY_COLUMNS = (
    "month", "unit", "arrived", "returned", "moved_in", "moved_out", "left_city", "registered",
)  # fmt: skip

_SWEEP_COLUMNS = (
    "month", "street", "community", "filing_due_on", "sweep_state", "return_kind", "filed_on",
    "review_status", "reviewed_on", "found",
)  # fmt: skip
_SWEEP_KEY = (KeyPart(name="month", sql_type="date"), KeyPart(name="org_code", sql_type="text"))
_DISPUTE_COLUMNS = (
    "opened_on", "case_kind", "case_summary", "parties", "case_stage", "mediated_on",
    "closed_on", "case_outcome", "department", "responsible_person", "escalated_on",
    "review_status", "community", "grid",
)  # fmt: skip
_ASSISTANCE_COLUMNS = (
    "raised_on", "person_name", "need_category", "need_description", "channel", "department",
    "referred_on", "due_on", "acknowledged_on", "need_status", "overdue_mark", "days_overdue",
    "last_note", "resolved_on", "need_outcome", "community", "grid",
)  # fmt: skip
_MEETING_COLUMNS = (
    "held_on", "meeting_kind", "unit", "place", "chair", "present", "action_items",
    "open_items", "open_item_list", "review_status",
)  # fmt: skip
_CONTACT_COLUMNS = (
    "name", "standing", "appointed_on", "unit", "last_phone", "phone_state", "last_face",
    "face_state", "last_eid", "eid_state", "rhythm_state",
)  # fmt: skip
_CONTACT_KEY = (KeyPart(name="org_code", sql_type="text"), KeyPart(name="id", sql_type="uuid"))
_OVERDUE_COUNTS = ("open_needs", "overdue_needs", "due_soon_needs")
_REPORT_KEY = (KeyPart(name="pending", sql_type="boolean"),
               KeyPart(name="sort_key", sql_type="text"))  # fmt: skip


def _dated_key(day: str) -> tuple[KeyPart, ...]:
    """Pending rows last, then by unit, day and id."""
    return (
        KeyPart(name="pending", sql_type="boolean"),
        KeyPart(name="org_code", sql_type="text"),
        KeyPart(name=day, sql_type="date"),
        KeyPart(name="id", sql_type="uuid"),
    )


LEDGERS: dict[str, Ledger] = {
    ledger.name: ledger
    for ledger in (
        Ledger(
            name="registry", view="ledger_registry", zh="流动人口信息台账",
            en="Registry of persons", by_month=False, columns=_REGISTRY_COLUMNS,
            key=_PERSON_KEY,
            source=_listed("ledger_registry", _REGISTRY_COLUMNS, _PERSON_KEY),
        ),
        Ledger(
            name="visits", view="ledger_visits", zh="走访台账", en="Visits", by_month=True,
            columns=_VISIT_COLUMNS, key=_VISIT_KEY, apart="pending",
            source=_listed("ledger_visits", _VISIT_COLUMNS, _VISIT_KEY, dated_by="visited_on",
                           apart="pending"),
        ),
        Ledger(
            name="quality", view="ledger_quality", zh="数据质量台账（三必清信息缺失）",
            en="Data quality: records missing a 三必清 field", by_month=False,
            columns=_QUALITY_COLUMNS, key=_PERSON_KEY,
            source=_listed("ledger_quality", _QUALITY_COLUMNS, _PERSON_KEY),
        ),
        Ledger(
            name="ethnicity", view="stats_ethnicity", zh="在册人员民族统计表",
            en="Registered persons by ethnic group", by_month=False,
            columns=("ethnicity", *_COUNTS), key=_SORTED, numbered=False, totals=True,
            source=_counted("stats_ethnicity", ("ethnic_code", "ethnicity"), "ethnic_code::text"),
        ),
        Ledger(
            name="origin", view="stats_origin", zh="在册人员来源省份统计表",
            en="Registered persons by province of origin", by_month=False,
            columns=("province", *_COUNTS), key=_SORTED, numbered=False, totals=True,
            source=_counted("stats_origin", ("province_code", "province"),
                            "coalesce(province_code::text, '999999')"),
        ),
        Ledger(
            name="occupation", view="stats_occupation", zh="在册人员职业统计表",
            en="Registered persons by occupation", by_month=False,
            columns=("occupation", *_COUNTS), key=_SORTED, numbered=False, totals=True,
            source=_counted("stats_occupation", ("occupation",), "occupation"),
        ),
        Ledger(
            name="monthly", view="stats_monthly", zh="流动人口月度变动统计表",
            en="Arrivals, departures and registered persons by month", by_month=True,
            columns=_MONTHLY_COLUMNS, key=_MONTHLY_KEY, numbered=False, source=MONTHLY,
        ),
        Ledger(
            name="sweeps", view="ledger_sweeps", zh="矛盾纠纷排查报送台账",
            en="Dispute sweeps filed, late and missing", by_month=True,
            columns=_SWEEP_COLUMNS, key=_SWEEP_KEY,
            source=_listed("ledger_sweeps", _SWEEP_COLUMNS, _SWEEP_KEY, dated_by="month"),
        ),
        Ledger(
            name="disputes", view="ledger_disputes", zh="矛盾纠纷台账", en="Dispute cases",
            by_month=True, columns=_DISPUTE_COLUMNS, key=_dated_key("opened_on"),
            apart="pending",
            source=_listed("ledger_disputes", _DISPUTE_COLUMNS, _dated_key("opened_on"),
                           dated_by="opened_on", apart="pending"),
        ),
        Ledger(
            name="assistance", view="ledger_assistance", zh="诉求转办台账",
            en="Needs referred and followed up", by_month=True, columns=_ASSISTANCE_COLUMNS,
            key=_dated_key("raised_on"), apart="pending",
            source=_listed("ledger_assistance", _ASSISTANCE_COLUMNS, _dated_key("raised_on"),
                           dated_by="raised_on", apart="pending"),
        ),
        Ledger(
            name="overdue", view="stats_overdue", zh="未办结及逾期诉求统计表（按责任部门）",
            en="Open and overdue needs by department", by_month=False,
            columns=("department", *_OVERDUE_COUNTS), key=_SORTED, numbered=False, totals=True,
            source=_summed("stats_overdue", ("department_code", "department"),
                           "department_code", _OVERDUE_COUNTS),
        ),
        Ledger(
            name="meetings", view="ledger_meetings", zh="会议台账", en="Meetings",
            by_month=True, columns=_MEETING_COLUMNS, key=_dated_key("held_on"), apart="pending",
            source=_listed("ledger_meetings", _MEETING_COLUMNS, _dated_key("held_on"),
                           dated_by="held_on", apart="pending"),
        ),
        Ledger(
            name="contacts", view="ledger_contacts", zh="民族代表人士三必谈台账",
            en="Representatives: the 三必谈", by_month=False, columns=_CONTACT_COLUMNS,
            key=_CONTACT_KEY,
            source=_listed("ledger_contacts", _CONTACT_COLUMNS, _CONTACT_KEY),
        ),
        Ledger(
            name="dispute_report", view="report_disputes_monthly",
            zh="矛盾纠纷排查调处情况月报表", en="Monthly dispute report", by_month=True,
            month_needed=True, columns=("unit", "sweep_state", *_REPORT_FIGURES),
            key=_REPORT_KEY, numbered=False, apart="pending", source=REPORT,
        ),
    )
}  # fmt: skip


def get_ledger(name: str) -> Ledger:
    """The ledger called `name`, or one line listing the names there are."""
    try:
        return LEDGERS[name]
    except KeyError:
        raise UnknownLedger(
            f"ledger {name!r}: no such ledger (there are {', '.join(LEDGERS)})"
        ) from None
