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
from db.ledgers.columns import COLUMNS, Column

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
    units_below: bool = False  # its source takes $3: the code length of the units below

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


# Months of a scope: its events counted where they cross the scope's boundary (a hand-over
# between two of its grids is no move for it), and for one month the same for each unit
# directly under it ($3: the length of their codes). Registered at a month's end adds up
# every event up to that month.
_CROSSES = "(e.other_org IS NULL OR NOT (e.other_org >= {u} AND e.other_org < {u} || ':'))"
_EVENT_COUNTS = """
           count(*) FILTER (WHERE e.event = 'arrived') AS arrived,
           count(*) FILTER (WHERE e.event = 'returned') AS returned,
           count(*) FILTER (WHERE e.event = 'moved_in') AS moved_in,
           count(*) FILTER (WHERE e.event = 'moved_out') AS moved_out,
           count(*) FILTER (WHERE e.event = 'left') AS left_city,
           sum(e.change) AS net"""
MONTHLY = f"""
WITH ev AS (
    SELECT e.org_code, e.other_org, e.event, e.month, e.change
      FROM stats_movement e
     WHERE e.org_code >= $1 AND e.org_code < $1 || ':'
), unit AS (
    SELECT u.code::text AS code, u.name, u.code = $1 AS is_total
      FROM org_unit u
     WHERE u.code = $1 OR ($2::date IS NOT NULL AND u.parent_code = $1)
), delta AS (
    SELECT $1::text AS code, e.month, {_EVENT_COUNTS}
      FROM ev e
     WHERE {_CROSSES.format(u="$1")}
     GROUP BY e.month
    UNION ALL
    SELECT left(e.org_code, $3::int) AS code, e.month, {_EVENT_COUNTS}
      FROM ev e
     WHERE $2::date IS NOT NULL AND length($1) < $3::int
       AND {_CROSSES.format(u="left(e.org_code, $3::int)")}
     GROUP BY left(e.org_code, $3::int), e.month
), span AS (
    SELECT coalesce($2::date, min(d.month)) AS first_month,
           coalesce($2::date, greatest(max(d.month),
                    date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date)) AS last_month
      FROM delta d
)
SELECT m.month::date AS month, u.name AS unit, u.is_total, u.code AS unit_code,
       coalesce(d.arrived, 0) AS arrived, coalesce(d.returned, 0) AS returned,
       coalesce(d.moved_in, 0) AS moved_in, coalesce(d.moved_out, 0) AS moved_out,
       coalesce(d.left_city, 0) AS left_city,
       coalesce((SELECT sum(b.net) FROM delta b
                  WHERE b.code = u.code AND b.month <= m.month::date), 0)::bigint AS registered
  FROM unit u
 CROSS JOIN span s
 CROSS JOIN LATERAL generate_series(s.first_month, s.last_month, interval '1 month') AS m(month)
  LEFT JOIN delta d ON d.code = u.code AND d.month = m.month::date
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
            units_below=True,
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
