"""The baseline of `python -m bench start`: a bare Textual app with a table.

It draws what the person list draws (header, a table of a page of rows, a status
line, footer) from rows made in memory, and then shows the same "第 1 页" marker
the benchmark waits for.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

COLUMNS = ("网格", "姓名", "性别", "民族", "出生日期", "身份证号", "电话")
ROW = ("第一网格", "人员", "男", "回族", "1980-01-01", "4101**************", "138****0000")
ROWS = 20


class BareApp(App[None]):
    BINDINGS = [("q", "quit", "退出")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="rows")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        for n in range(ROWS):
            table.add_row(ROW[0], f"{ROW[1]}{n}", *ROW[2:])
        self.query_one("#status", Static).update(f"共 {ROWS} 人 · 第 1 页")


if __name__ == "__main__":
    BareApp().run()
