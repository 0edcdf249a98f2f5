"""The Textual app: styles, bindings, the database pool's life, and its screens."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState

from db.core.connect import Pool, open_pool
from db.core.reachability import responds, retry_delay
from db.core.session import login
from db.keys.check import verify_keyring
from db.keys.crypto import Keyring
from db.users import AppUser
from tui.commands import screen_commands
from tui.dialogs.help import HelpScreen
from tui.errors import one_line, reason
from tui.exit_guard import LeaveOnHangUp
from tui.i18n import N_, _, set_language, translate_bindings
from tui.keys import RoutedKeysApp
from tui.messages import (
    DatabaseProbed,
    DatabaseUnreachable,
    LanguageChanged,
    PoolFailed,
    PoolOpened,
)
from tui.screens.drafting import DraftingScreen, PendingDraft, keep_drafts
from tui.screens.person_list import PersonListScreen
from tui.session import Session
from tui.terminal_driver import HangUpSafeDriver
from tui.widgets.db_banner import DatabaseBanner

TITLE = N_("Tongxin · Service records for minority residents")
POOL_GROUP = "app-pool"
PROBE_GROUP = "app-db-probe"
POOL_CLOSE_TIMEOUT = 3.0  # seconds; then the connections are cut instead
DRAFTS_ON_EXIT_TIMEOUT = 5.0  # seconds to store open forms' drafts before leaving anyway


class TongxinApp(RoutedKeysApp):
    """同心: one process per user session, one small database pool for its life.

    The pool is opened in a worker once the app runs (never at import) and
    closed when it quits; screens borrow connections from it in their workers.
    With a `login`, the app looks that app user up once and every transaction
    then acts as them, so row-level security sees the user, not the connection.
    Without one but with users to `choose_from` (the demo), a first screen lets the
    user pick whom to be, and the app then works as that user. With neither (tests,
    operators) the connection's own role reads.
    """

    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "show_help", N_("Help"), key_display="?"),
        # The description names the language the key switches to.
        Binding(
            "ctrl+l",
            "toggle_language",
            N_("中文"),
            priority=True,
            tooltip=N_("Switch language: 中文 / English"),
        ),
        Binding("q", "quit", N_("Quit")),
        Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True),
        Binding("r", "reconnect", N_("Retry")),
        Binding("ctrl+p", "command_palette", N_("Commands"), show=False, priority=True),
        Binding("tab", "focus_next", show=False, priority=True),
        Binding("shift+tab", "focus_previous", show=False, priority=True),
    ]

    language: reactive[str] = reactive("zh_CN", init=False)

    def __init__(
        self,
        dsn: str,
        *,
        lang: str = "zh_CN",
        scope: str = "",
        keyring: Keyring | None = None,
        user_label: str = "",
        login: str | None = None,
        choose_from: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.dsn = dsn
        self.scope = scope
        self.keyring = keyring
        self.login = login
        self.choose_from = tuple(choose_from)
        self.pool: Pool | None = None
        self.user: AppUser | None = None
        self.session: Session | None = None
        self.failure = ""
        self.quit_anyway = False
        self.hung_up = False
        self.unreachable = False  # the database stopped answering; retries are under way
        self.retries = 0
        self.retry_timer: Timer | None = None
        self.leave_on_hang_up = LeaveOnHangUp(self.hang_up, drafts_timeout=DRAFTS_ON_EXIT_TIMEOUT)
        set_language(lang)
        self.set_reactive(TongxinApp.language, lang)
        self.title = _(TITLE)
        self.sub_title = user_label
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        # Shown only until the pool is open, or when it cannot be.
        yield Header()
        yield Static(_("Connecting to the database…"), id="startup", markup=False)
        yield Footer()

    def get_driver_class(self) -> type[Driver]:
        return HangUpSafeDriver

    def on_mount(self) -> None:
        # Keys typed while the database is reached wait for the first screen.
        self.keys.wait_for(self.screen)
        self.open_database()
        self.screen_change_signal.subscribe(self, self._show_banner)
        if not self.is_headless:
            # A dropped SSH line hangs up the terminal: keep what was typed, then leave.
            self.leave_on_hang_up.install(asyncio.get_running_loop())

    @work(exclusive=True, group=POOL_GROUP, exit_on_error=False)
    async def open_database(self) -> None:
        """Open the app's one pool (at most two connections), find who is using it, and
        refuse a key file that is not this database's before anything is sealed or found."""
        pool = await open_pool(self.dsn, max_size=2)
        try:
            user = None
            async with pool.acquire() as conn:
                if self.login is not None:
                    user = await login(conn, self.login)
                if self.keyring is not None:
                    await verify_keyring(conn, self.keyring)
        except BaseException:
            await pool.close()
            raise
        self.post_message(PoolOpened(pool, user))

    def on_pool_opened(self, message: PoolOpened) -> None:
        self.pool, self.failure = message.pool, ""
        if self.login is None and self.choose_from:
            from tui.screens.user_chooser import UserChooserScreen

            waited = self.screen
            self.push_screen(UserChooserScreen(message.pool, self.choose_from), self.start_as)
            self.keys.hand_on(waited)
            return
        self.start_as(message.user)

    def start_as(self, user: AppUser | None) -> None:
        """Work as `user` from now on (None: the connection's own role), on their first
        screen: a grid worker's home, a supervisor's dashboard, otherwise the list."""
        assert self.pool is not None
        self.user = user
        if user is not None:
            self.login = user.name
            self.scope = self.scope or user.org_code
            name = user.display_name or user.name
            self.sub_title = self.sub_title or f"{name} · {user.org_name}"
            if self.keyring is not None:
                self.session = Session(
                    self.pool, user, self.keyring, on_unreachable=self._database_lost
                )
        waited = self.screen
        self.push_screen(self._first_screen())
        self.keys.hand_on(waited)

    def _first_screen(self) -> Screen[None]:
        session = self.session
        kind = session.user.role_kind if session is not None else None
        if session is not None and kind == "grid_worker":
            from tui.screens.home import HomeScreen

            return HomeScreen(session, self.scope)
        if session is not None and kind == "supervisor":
            from tui.screens.dashboard import DashboardScreen

            return DashboardScreen(session, self.scope)
        assert self.pool is not None
        return PersonListScreen(
            self.pool, user=self.user, scope=self.scope, keyring=self.keyring, session=session
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        if event.worker.group == POOL_GROUP:
            error = event.worker.error
            assert error is not None
            self.post_message(PoolFailed(one_line(error)))
        elif event.worker.group == PROBE_GROUP:
            self.post_message(DatabaseProbed(reachable=False))  # an odd failure: retry later

    def on_pool_failed(self, message: PoolFailed) -> None:
        self.keys.drop(self.screen)
        self.failure = message.reason
        self._show_startup()
        self.notify(message.reason, title=_("Cannot connect to the database"), severity="error")
        self.refresh_bindings()

    def _show_startup(self) -> None:
        text = _("Connecting to the database…")
        if self.failure:
            text = "\n".join(
                (_("Cannot connect to the database"), self.failure, _("r retries, q quits"))
            )
        self.query_one("#startup", Static).update(text)

    async def on_unmount(self) -> None:
        self.keys.close()
        self.leave_on_hang_up.uninstall()
        if self.pool is None:
            return
        try:
            await asyncio.wait_for(self.pool.close(), POOL_CLOSE_TIMEOUT)
        except TimeoutError:
            self.pool.terminate()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reconnect":
            return bool(self.failure) and self.pool is None
        return True

    def action_reconnect(self) -> None:
        self.keys.wait_for(self.screen)
        self.failure = ""
        self._show_startup()
        self.refresh_bindings()
        self.open_database()

    def pending_drafts(self) -> list[PendingDraft]:
        return [
            pending
            for screen in self.screen_stack
            if isinstance(screen, DraftingScreen) and (pending := screen.pending_draft())
        ]

    async def action_quit(self) -> None:
        """Leave, storing the drafts of open forms first."""
        self.leave_keeping_drafts(hung_up=False)

    def hang_up(self) -> None:
        """The terminal is gone (SIGHUP, or EOF/EIO on it) or SIGTERM came: store the
        drafts of open forms, then exit. Only the first call counts."""
        if not self.hung_up:
            self.hung_up = True
            self.leave_keeping_drafts(hung_up=True)

    @work(exclusive=True, group="app-leave", exit_on_error=False)
    async def leave_keeping_drafts(self, hung_up: bool) -> None:
        drafts = self.pending_drafts()
        if self.session is not None and drafts:
            try:
                await asyncio.wait_for(keep_drafts(self.session, drafts), DRAFTS_ON_EXIT_TIMEOUT)
            except Exception as exc:  # noqa: BLE001 - said to the user, who decides
                if not hung_up and not self.quit_anyway:
                    self.quit_anyway = True
                    self.notify(
                        _("Drafts not saved: {reason}. Quit again to leave anyway.").format(
                            reason=reason(exc)
                        ),
                        severity="error",
                    )
                    return
        if hung_up:
            self.leave_on_hang_up.exiting()
        self.exit()

    def _database_lost(self) -> None:
        self.post_message(DatabaseUnreachable())

    def on_database_unreachable(self, message: DatabaseUnreachable) -> None:
        if self.unreachable or self.pool is None:
            return
        self.unreachable = True
        self.retries = 0
        self._show_banner()
        self._retry_later()

    def retry_database(self) -> None:
        """One retry (the backoff timer's tick): does the database answer again?"""
        self.probe_database()

    @work(exclusive=True, group=PROBE_GROUP, exit_on_error=False)
    async def probe_database(self) -> None:
        assert self.pool is not None
        self.post_message(DatabaseProbed(await responds(self.pool)))

    def on_database_probed(self, message: DatabaseProbed) -> None:
        if not self.unreachable:
            return
        if not message.reachable:
            self.retries += 1
            self._retry_later()
            return
        self.unreachable = False
        for screen in self.screen_stack:
            for banner in screen.query(DatabaseBanner):
                banner.remove()
            if isinstance(screen, DraftingScreen):
                screen.autosave()  # what was typed meanwhile is stored now

    def _retry_later(self) -> None:
        """One timer at a time, however many failures reported the loss."""
        if self.retry_timer is not None:
            self.retry_timer.stop()
        self.retry_timer = self.set_timer(retry_delay(self.retries), self.retry_database)

    def _show_banner(self, _screen: Screen[object] | None = None) -> None:
        """A banner on every full screen of the stack (a dialog shows the one beneath)."""
        if not self.unreachable:
            return
        for screen in self.screen_stack:
            if not isinstance(screen, ModalScreen) and not screen.query(DatabaseBanner):
                screen.mount(DatabaseBanner(), before=0 if screen.children else None)

    def action_show_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_show_representatives(self) -> None:
        from tui.screens.representative_list import RepresentativeListScreen

        if self.session is not None and not isinstance(self.screen, RepresentativeListScreen):
            self.push_screen(RepresentativeListScreen(self.session))

    def action_toggle_language(self) -> None:
        self.language = "en" if self.language == "zh_CN" else "zh_CN"

    def watch_language(self, lang: str) -> None:
        set_language(lang)
        self.title = _(TITLE)
        translate_bindings(self)
        for screen in self.screen_stack:
            screen.post_message(LanguageChanged(lang))
        if self.pool is None:
            self._show_startup()
        for screen in self.screen_stack:
            for banner in screen.query(DatabaseBanner):
                banner.refresh()
        self.refresh_bindings()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from screen_commands(screen)
        if self.session is not None:
            yield SystemCommand(
                _("Representatives"),
                _("The 三必谈 of representatives: who is due or overdue"),
                self.action_show_representatives,
            )
        yield SystemCommand(_("Keys"), _("The keys of this screen"), self.action_show_help)
        yield SystemCommand(
            _("Switch language"), _("Chinese or English"), self.action_toggle_language
        )
        yield SystemCommand(_("Quit"), _("Leave tongxin"), self.action_quit)
