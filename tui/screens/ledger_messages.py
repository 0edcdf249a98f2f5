"""What the ledger screen's workers post: results only."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from db.ledgers.export import LedgerExported
from db.ledgers.reads import Cell, LedgerPage
from db.ledgers.trends import LargestGroups, MonthCounts
from db.ledgers.units import Unit
from tui.widgets.ledger_table import Numbering

# What a read was for: the ledger, the unit and the month (None: the ledger takes none).
Asked = tuple[str, str, str | None]


@dataclass
class LedgerPageLoaded(Message):
    bubble = False

    asked: Asked
    page: LedgerPage
    number: int
    after: list[Cell] | None  # the key the page starts after (None: the first page)
    before: Numbering


@dataclass
class LedgerCounted(Message):
    bubble = False

    asked: Asked
    total: int


@dataclass
class LedgerUnitsLoaded(Message):
    bubble = False

    units: list[Unit]


@dataclass
class LedgerTrendLoaded(Message):
    bubble = False

    asked: Asked
    trend: list[MonthCounts]


@dataclass
class LedgerGroupsLoaded(Message):
    bubble = False

    asked: Asked
    largest: LargestGroups


@dataclass
class LedgerExportProgress(Message):
    bubble = False

    total: int | None = None
    advanced: int = 0


@dataclass
class LedgerExportDone(Message):
    bubble = False

    done: LedgerExported
