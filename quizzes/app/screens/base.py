"""What every screen shares: the footer in the learner's language and the screen that redraws its words.

Textual and plain data only, no pydantic, so the dashboard paints before the models load
(see `torchdojo.quizzes.app.fast`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from torchdojo.quizzes.app.words import w

if TYPE_CHECKING:
    from torchdojo.i18n import Lang

SCREENS_CSS = Path(__file__).resolve().parent.parent / "screens.tcss"  # every screen but the dashboard: read when the first is shown


# Footer labels in the learner's language, and their order: the screen's own keys first.
FOOTER_WORDS = {
    "start_quiz": "footer_quiz",
    "choose_topics": "footer_topics",
    "start_review": "footer_review",
    "app.pop_screen": "footer_back",
    "back": "footer_back",
    "check": "footer_check",
    "hint": "footer_hint",
    "practise": "footer_practise",
    "dismiss": "footer_close",
    "toggle_lang": "language",
    "help": "help",
    "quit": "quit",
}
FOOTER_LAST = {"toggle_lang": 1, "help": 2, "quit": 3}


class DojoFooter(Footer):
    """The footer in one language, short enough for 80 columns, with ? and q always there."""

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        lang = getattr(self.screen, "lang", "en")  # a DojoScreen's language
        chosen: dict[str, tuple] = {}
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in chosen:
                chosen[binding.action] = (binding, enabled, tooltip)
        ordered = sorted(chosen.values(), key=lambda item: FOOTER_LAST.get(item[0].action, 0))
        self.styles.grid_size_columns = len(ordered)
        for binding, enabled, tooltip in ordered:
            key = FOOTER_WORDS.get(binding.action)
            label = w(key, lang) if key else binding.description
            yield FooterKey(binding.key, self.app.get_key_display(binding), label, binding.action, disabled=not enabled, tooltip=tooltip).data_bind(
                compact=Footer.compact
            )


class DojoScreen(Screen):
    """A screen in the learner's language, which the app sets (`lang`): the screen redraws its words when it changes."""

    lang: reactive[Lang] = reactive("en", init=False)
    title_key = "dashboard"

    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self.set_reactive(DojoScreen.lang, lang)

    def watch_lang(self) -> None:
        if self.is_mounted:
            self.redraw() if self.is_active else self.refresh_words()

    def refresh_words(self) -> None:  # overridden by screens with words to redraw
        pass

    def redraw(self) -> None:
        self.sub_title = w(self.title_key, self.lang)
        self.refresh_words()
        for footer in self.query(DojoFooter):
            footer.refresh(recompose=True)

    def on_screen_resume(self) -> None:
        self.redraw()
