"""Completion while typing: places of origin and ethnic groups, from the reference data."""

from __future__ import annotations

from textual.suggester import Suggester


class CodeNameSuggester(Suggester):
    """Completes a code to "code name" and the start of a name to "name code"."""

    def __init__(self, names: dict[str, str]) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self.items = sorted(names.items())

    async def get_suggestion(self, value: str) -> str | None:
        text = value.strip()
        if not text or text != value:
            return None
        if text.isdigit():
            found = next((c for c, _ in self.items if c.startswith(text)), None)
            return None if found is None else f"{found} {dict(self.items)[found]}"
        for code, name in self.items:
            if name.startswith(text):
                return f"{name} {code}"
        return None
