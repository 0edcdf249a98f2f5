"""The search box's rules, shared by the person list and the person picker."""

from __future__ import annotations

from tui.i18n import N_

SEARCH_DEBOUNCE = 0.4  # seconds of quiet typing before a list follows the search box
SEARCH_MAX = 60  # PersonSearch.text's limit: the box refuses more instead of failing later
SEARCH_HINT = N_("Name, pinyin initials, resident ID or last 4 digits of a phone")
