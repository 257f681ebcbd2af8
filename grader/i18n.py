"""Bilingual text: every learner-facing string exists in English and Chinese."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")


class Text(BaseModel):
    """One message in both languages; neither may be empty."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)

    def __call__(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def format(self, **values: object) -> Text:
        return Text(en=self.en.format(**values), zh=self.zh.format(**values))


def t(en: str, zh: str) -> Text:
    """Shorthand used by the grader's own messages."""
    return Text(en=en, zh=zh)
