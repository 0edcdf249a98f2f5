"""The demo's first screen: whom to be, one user of each kind with a line on what that
kind does; the choice logs in as that user."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static

from db.core.connect import Pool
from db.core.session import logins
from db.users import AppUser
from tui.i18n import N_, _, translate_bindings
from tui.keys import hold_keys, release_keys
from tui.messages import ChoosableUsersLoaded, LanguageChanged
from tui.screens.failures import Failure, ReportsFailures

LOAD_GROUP = "user-chooser-load"
ROLE_NAMES = {
    "grid_worker": N_("Grid worker"),
    "supervisor": N_("Supervisor"),
    "auditor": N_("Auditor"),
    "admin": N_("Administrator"),
}
ROLE_DUTIES = {
    "grid_worker": N_("Registers people, logs visits and calls, submits them for review"),
    "supervisor": N_("Approves submitted visits, or returns them with a comment"),
    "auditor": N_("Reads the records and the audit trail; changes nothing"),
    "admin": N_("Manages users and reference data; reads and corrects records"),
}


class UserChoices(OptionList, can_focus=False):
    """The users to choose from; the screen's own keys move and choose, so the footer
    and help show every key that works here."""


class UserChooserScreen(ReportsFailures, Screen[AppUser]):
    """Lists the app users named, loaded in a worker; ↑/↓ and Enter, or 1–4, choose one."""

    FAILURES: ClassVar[dict[str, Failure]] = {LOAD_GROUP: Failure(N_("Not done"))}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", N_("Up"), key_display="↑", tooltip=N_("The user above")),
        Binding("down", "move(1)", N_("Down"), key_display="↓", tooltip=N_("The user below")),
        Binding("enter", "choose", N_("Log in"), tooltip=N_("Log in as the chosen user")),
        Binding("1", "choose_number(1)", N_("By number"), key_display="1-4",
                tooltip=N_("Log in as the user with that number")),
        Binding("2", "choose_number(2)", show=False),
        Binding("3", "choose_number(3)", show=False),
        Binding("4", "choose_number(4)", show=False),
    ]  # fmt: skip

    def __init__(self, pool: Pool, names: tuple[str, ...]) -> None:
        super().__init__()
        self.pool, self.names = pool, names
        self.users: list[AppUser] = []
        self.loaded = False
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="chooser-title", markup=False)
        yield UserChoices(id="chooser-users")
        yield Static("", id="chooser-hint", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._texts()
        hold_keys(self)  # a number or Enter typed ahead chooses from the users once shown
        self.load_users()

    @work(exclusive=True, group=LOAD_GROUP, exit_on_error=False)
    async def load_users(self) -> None:
        async with self.pool.acquire() as conn:
            users = await logins(conn, self.names)
        self.post_message(ChoosableUsersLoaded(users))

    def on_choosable_users_loaded(self, message: ChoosableUsersLoaded) -> None:
        self.users = message.users
        self.loaded = True
        self._texts()
        release_keys(self)

    def _texts(self) -> None:
        """Title, one option per user and the hint, in the current language."""
        self.query_one("#chooser-title", Static).update(_("Who do you want to be in the demo?"))
        choices = self.query_one(UserChoices)
        highlighted = choices.highlighted
        choices.clear_options()
        choices.add_options(self._option(n, user) for n, user in enumerate(self.users, 1))
        if self.users:
            choices.highlighted = highlighted if highlighted is not None else 0
        hint = _("Next time `tongxin demo --as NAME` opens as that user directly.")
        if self.loaded and not self.users:
            hint = _("No demo users here: run `tongxin demo` again to add them.")
        self.query_one("#chooser-hint", Static).update(hint)

    def _option(self, number: int, user: AppUser) -> Text:
        """Two lines: number, kind (names aligned after it), name and scope; what it does."""
        role = _(ROLE_NAMES[user.role_kind])
        width = max(cell_len(_(name)) for name in ROLE_NAMES.values())
        return Text.assemble(
            (f"{number}  {role}", "bold"),
            " " * (width - cell_len(role) + 2),
            f"{user.name} · {user.org_name}\n   ",
            (_(ROLE_DUTIES[user.role_kind]), "italic"),
        )

    def action_move(self, step: int) -> None:
        choices = self.query_one(UserChoices)
        if step < 0:
            choices.action_cursor_up()
        else:
            choices.action_cursor_down()

    def action_choose(self) -> None:
        highlighted = self.query_one(UserChoices).highlighted
        self.action_choose_number((highlighted or 0) + 1)

    def action_choose_number(self, number: int) -> None:
        if 1 <= number <= len(self.users):
            self.dismiss(self.users[number - 1])

    @on(OptionList.OptionSelected, "#chooser-users")
    def clicked(self, event: OptionList.OptionSelected) -> None:
        self.action_choose_number(event.option_index + 1)

    def on_language_changed(self, message: LanguageChanged) -> None:
        translate_bindings(self)
        self._texts()
        self.refresh_bindings()
