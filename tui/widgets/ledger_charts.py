"""The charts of the ledger screen, drawn by Plotext (textual-plotext): the last twelve
months of a scope's casework as lines, and the largest groups of a statistic as bars.

Plotext measures text by characters, not by terminal cells, so Chinese text inside a
plot would shift its frame; the plots hold only digits and the names stand beside
them (a legend line), numbered like the bars.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from db.ledgers.trends import LargestGroups, MonthCounts
from tui.i18n import N_, _

SERIES = (
    ("visits", N_("Visits approved"), "cyan"),
    ("cases", N_("Dispute cases approved"), "magenta"),
    ("referrals", N_("Referrals"), "yellow"),
)


class TrendChart(Vertical):
    """Visits, dispute cases and referrals per month: one line each, a legend above."""

    DEFAULT_CSS = """
    TrendChart { height: 1fr; }
    TrendChart > .legend { height: auto; padding: 0 1; }
    TrendChart > PlotextPlot { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.months: list[date] = []
        self.series: dict[str, list[int]] = {key: [] for key, _label, _colour in SERIES}

    def compose(self) -> ComposeResult:
        yield Static("", classes="legend", markup=False)
        yield PlotextPlot()

    def show(self, trend: list[MonthCounts]) -> None:
        self.months = [m.month for m in trend]
        self.series = {key: [getattr(m, key) for m in trend] for key, _l, _c in SERIES}
        self.redraw()

    def redraw(self) -> None:
        legend = Text(no_wrap=False)
        for key, label, colour in SERIES:
            legend.append("━━ ", style=colour)
            legend.append(f"{_(label)} {sum(self.series[key])}   ")
        self.query_one(".legend", Static).update(legend)
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        xs: list[float] = [float(i) for i in range(1, len(self.months) + 1)]
        for key, _label, colour in SERIES:
            if xs:
                plt.plot(xs, self.series[key], color=colour, marker="braille")
        plt.xticks(xs, [f"{m:%y-%m}" for m in self.months])
        top = max((max(v, default=0) for v in self.series.values()), default=0)
        plt.ylim(0, max(top, 1))
        plot.refresh()


class GroupChart(Vertical):
    """The largest groups of a statistic and the rest together, one bar each, numbered;
    the numbers' names in the legend beneath."""

    DEFAULT_CSS = """
    GroupChart { height: 1fr; }
    GroupChart > PlotextPlot { height: 1fr; }
    GroupChart > .legend { height: auto; max-height: 5; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.largest: LargestGroups | None = None
        self.groups: list[tuple[str, int]] = []  # (label, persons); "other" last, if any

    def compose(self) -> ComposeResult:
        yield PlotextPlot()
        yield Static("", classes="legend", markup=False)

    def show(self, largest: LargestGroups) -> None:
        self.largest = largest
        self.redraw()

    def redraw(self) -> None:
        largest = self.largest
        if largest is None:
            return
        groups = [(g.label or _("not given"), g.persons) for g in largest.groups]
        if largest.other:
            groups.append((_("Other"), largest.other))
        self.groups = groups
        # No space inside an entry, so a legend that wraps breaks only between entries.
        legend = "  ".join(f"{i}.{label}({n})" for i, (label, n) in enumerate(groups, 1))
        self.query_one(".legend", Static).update(legend)
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        if groups:
            plt.bar([str(i) for i in range(1, len(groups) + 1)], [n for _l, n in groups],
                    color="cyan")  # fmt: skip
        plot.refresh()
