"""Question banks at the file boundary: every question validated before anyone sees it."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from torchdojo.i18n import Text

Topic = Literal[
    "history", "advantages", "use_cases", "quickstart",
    "tensors", "autograd", "modules", "devices", "data", "optimization",
]  # fmt: skip
TOPICS: tuple[Topic, ...] = (
    "history", "advantages", "use_cases", "quickstart",
    "tensors", "autograd", "modules", "devices", "data", "optimization",
)  # fmt: skip
TOPIC_TITLES: dict[str, Text] = {
    "history": Text(en="History", zh="发展历史"),
    "advantages": Text(en="Advantages", zh="优点"),
    "use_cases": Text(en="Use cases", zh="使用场景"),
    "quickstart": Text(en="Quickstart", zh="快速入门"),
    "tensors": Text(en="Tensors", zh="张量"),
    "autograd": Text(en="Autograd", zh="自动求导"),
    "modules": Text(en="Modules", zh="模块"),
    "devices": Text(en="Devices", zh="设备"),
    "data": Text(en="Data", zh="数据"),
    "optimization": Text(en="Optimization", zh="优化"),
}
KIND_TITLES: dict[str, Text] = {
    "single": Text(en="Choose one", zh="单选"),
    "multiple": Text(en="Select all that apply", zh="多选(选出所有正确项)"),
    "true_false": Text(en="True or false", zh="判断对错"),
    "short": Text(en="Short answer", zh="简答"),
    "code_output": Text(en="What does this code print?", zh="这段代码输出什么?"),
}


class Option(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z]$")
    text: Text


class _Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z_]+-\d{2,3}$")
    topic: Topic
    text: Text
    explanation: Text
    source: str = Field(min_length=3, description="the seed section or fact it comes from")
    exercises: list[str] = Field(
        default_factory=list,
        description="exercise ids (topic/name) this question goes with: offered after the exercise passes",
    )


class _WithOptions(_Question):
    options: list[Option] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _unique_option_ids(self) -> Self:
        ids = [o.id for o in self.options]
        if len(ids) != len(set(ids)):
            raise ValueError("option ids repeat")
        return self

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)


class SingleChoice(_WithOptions):
    kind: Literal["single"]
    answer: str

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> Self:
        if self.answer not in {o.id for o in self.options}:
            raise ValueError(f"answer '{self.answer}' is not among the options")
        return self


class MultipleChoice(_WithOptions):
    """Partial credit: (right choices picked - wrong choices picked) / right choices, never below 0."""

    kind: Literal["multiple"]
    answers: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _answers_are_options(self) -> Self:
        ids = {o.id for o in self.options}
        missing = [a for a in self.answers if a not in ids]
        if missing:
            raise ValueError(f"answers {missing} are not among the options")
        if len(set(self.answers)) != len(self.answers):
            raise ValueError("answers repeat")
        if len(self.answers) == len(self.options):
            raise ValueError("every option is correct: nothing to choose")
        return self


class TrueFalse(_Question):
    kind: Literal["true_false"]
    answer: bool


class ShortAnswer(_Question):
    """Accepted variants are compared after normalising case, spaces and punctuation."""

    kind: Literal["short"]
    accepted: list[str] = Field(min_length=1)


class CodeOutput(_WithOptions):
    """`output` is exactly what `code` prints; the tests run the code to prove it."""

    kind: Literal["code_output"]
    code: str = Field(min_length=1)
    output: str = Field(min_length=1)
    answer: str

    @model_validator(mode="after")
    def _answer_matches_output(self) -> Self:
        if self.answer not in {o.id for o in self.options}:
            raise ValueError(f"answer '{self.answer}' is not among the options")
        if self.option(self.answer).text.en.strip() != self.output.strip():
            raise ValueError("the correct option's text differs from `output`")
        return self


Question = Annotated[SingleChoice | MultipleChoice | TrueFalse | ShortAnswer | CodeOutput, Field(discriminator="kind")]


class BankFile(BaseModel):
    """One bank file: a list of questions (validated one by one by `torchdojo.quizzes.bank`)."""

    model_config = ConfigDict(extra="forbid")

    format_version: int = Field(ge=1, le=1)
    questions: list[dict] = Field(min_length=1)
