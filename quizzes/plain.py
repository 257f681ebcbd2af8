"""The plain-terminal quiz: for terminals where the full-screen app cannot run (or for scripts).

Reads answers line by line from stdin, so a session can be piped in. Bad input
is answered with a hint and asked again; end of input stops the quiz cleanly,
keeping every answer already recorded.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from torchdojo.i18n import Lang, Text, t
from torchdojo.quizzes.engine import Grade, Presented, QuizSession, Response, correct_response
from torchdojo.quizzes.models import KIND_TITLES, TOPIC_TITLES, CodeOutput, MultipleChoice, ShortAnswer, SingleChoice, TrueFalse

TRUE_WORDS = {"t", "true", "y", "yes", "对", "是", "正确", "真"}
FALSE_WORDS = {"f", "false", "n", "no", "错", "否", "错误", "假"}
QUIT_WORDS = {"q", "quit", "exit", "退出"}


class BadInput(ValueError):
    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def parse_response(presented: Presented, raw: str) -> Response:
    """Turn what the learner typed into an engine response, or explain what is expected."""
    question = presented.question
    raw = raw.strip()
    count = len(presented.option_order)
    choose = t(f"Answer with a number from 1 to {count}.", f"请输入 1 到 {count} 之间的数字。")
    if isinstance(question, TrueFalse):
        word = raw.casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise BadInput(t("Answer t (true) or f (false).", "请输入 t(对)或 f(错)。"))
    if isinstance(question, ShortAnswer):
        if not raw:
            raise BadInput(t("Type a short answer.", "请输入简短的答案。"))
        return raw

    def position(token: str) -> str:
        if token.isdigit() and 1 <= int(token) <= count:
            return presented.option_id(int(token))
        if len(token) == 1 and token.isalpha() and 0 <= ord(token.lower()) - ord("a") < count:
            return presented.option_id(ord(token.lower()) - ord("a") + 1)
        raise BadInput(choose)

    if isinstance(question, MultipleChoice):
        tokens = [tok for tok in raw.replace(",", " ").replace(",", " ").split() if tok]
        if not tokens:
            raise BadInput(t(f"Select one or more: e.g. 1 3 (numbers 1 to {count}).", f"请选择一项或多项:例如 1 3(数字 1 到 {count})。"))
        return sorted({position(tok) for tok in tokens})
    if isinstance(question, SingleChoice | CodeOutput):
        return position(raw)
    raise BadInput(choose)


def render_question(presented: Presented, number: int, total: int, lang: Lang) -> str:
    question = presented.question
    lines = [f"\n[{number}/{total}] {TOPIC_TITLES[question.topic](lang)} · {KIND_TITLES[question.kind](lang)}", question.text(lang)]
    if isinstance(question, CodeOutput):
        lines += ["", *("    " + line for line in question.code.strip().splitlines()), ""]
    if isinstance(question, SingleChoice | MultipleChoice | CodeOutput):  # the kinds with options (no option_order otherwise)
        for index, option_id in enumerate(presented.option_order, 1):
            lines.append(f"  {index}) {question.option(option_id).text(lang)}")
    if isinstance(question, TrueFalse):
        lines.append("  t / f")
    return "\n".join(lines)


def render_feedback(presented: Presented, result: Grade, lang: Lang) -> str:
    question = presented.question
    if result.correct:
        head = t("✓ Correct.", "✓ 正确。")(lang)
    elif result.credit > 0:
        head = t(f"◐ Partly right ({result.credit:.0%}).", f"◐ 部分正确({result.credit:.0%})。")(lang)
    else:
        head = t("✗ Not quite.", "✗ 不太对。")(lang)
    answer = correct_response(question)
    if presented.option_order:
        ids = answer if isinstance(answer, list) else [answer]
        shown = ", ".join(str(presented.option_order.index(i) + 1) for i in ids)
        head += " " + t(f"Answer: {shown}.", f"答案:{shown}。")(lang)
    elif isinstance(question, TrueFalse):
        head += " " + (t("Answer: true.", "答案:对。") if answer else t("Answer: false.", "答案:错。"))(lang)
    elif isinstance(question, ShortAnswer) and not result.correct:
        head += " " + t(f"Answer: {answer}.", f"答案:{answer}。")(lang)
    return f"{head}\n{question.explanation(lang)}"


def run_plain(session: QuizSession, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout

    def write(text: str, end: str = "\n") -> None:
        out.write(text + end)
        out.flush()

    lang = session.lang
    total = len(session.items)
    if total == 0:
        write(t("No questions match.", "没有符合条件的题目。")(lang))
        return 1
    write(t(f"{total} questions. Type q to stop; your answers are saved as you go.", f"共 {total} 题。输入 q 可随时停止;每道题的答案都会立即保存。")(lang))
    while (presented := session.current) is not None:
        write(render_question(presented, len(session.results) + 1, total, lang))
        while True:
            write("> ", end="")
            line = stdin.readline()
            if not line:
                write(t("\nEnd of input: stopping here.", "\n输入结束:在此停止。")(lang))
                return _summary(session, write)
            if line.strip().casefold() in QUIT_WORDS:
                return _summary(session, write)
            try:
                response = parse_response(presented, line)
            except BadInput as error:
                write(error.text(lang))
                continue
            break
        write(render_feedback(presented, session.answer(response), lang))
    return _summary(session, write)


def _summary(session: QuizSession, write: Callable[..., None]) -> int:
    from torchdojo.quizzes.app.state import pad, people

    lang = session.lang
    credit, answered = session.score()
    write(t(f"\nScore: {people(credit)} / {answered}", f"\n得分:{people(credit)} / {answered}")(lang))
    for topic, (topic_credit, count) in session.by_topic().items():
        write(f"  {pad(TOPIC_TITLES[topic](lang), 14)} {people(topic_credit)} / {count}")
    missed = session.missed()
    if missed:
        write(
            t(
                "To review (they come back in about 10 minutes; `torchdojo quiz --missed` practises them now):",
                "需要复习(约 10 分钟后回来;`torchdojo quiz --missed` 现在就练习):",
            )(lang)
        )
        for question in missed:
            write(f"  • {question.text(lang)}")
    return 0
