"""`torchdojo quiz ...`: plugged into the grader's command line through an entry point."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from torchdojo.i18n import t
from torchdojo.learner.context import EXIT_FAILED, EXIT_OK, Context, UsageError
from torchdojo.paths import home_progress_file
from torchdojo.quizzes.models import TOPICS, MultipleChoice, ShortAnswer
from torchdojo.record.progress import ProgressStore

if TYPE_CHECKING:
    from torchdojo.quizzes.bank import Bank

# The bank, the engine (fsrs) and the app load only when a quiz command runs: `torchdojo check` stays light.
HOME_PROGRESS = home_progress_file()  # outside a workspace, quizzes still keep a record (the CLI's one rule)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    quiz = sub.add_parser("quiz", parents=[common], help="take a quiz (the app; --plain for a simple terminal)")
    quiz.add_argument("--plain", action="store_true", help="a line-by-line quiz for any terminal or a pipe")
    quiz.add_argument("--topic", action="append", choices=TOPICS, help="only this topic (repeatable)")
    quiz.add_argument("--count", type=int, help="at most this many questions")
    quiz.add_argument("--seed", type=int, help="shuffle reproducibly")
    quiz.add_argument("--review", action="store_true", help="only questions that are due for review")
    quiz.add_argument("--missed", action="store_true", help="the questions you last answered wrong, now (before they are due)")
    quiz.set_defaults(handler=cmd_quiz)
    inner = quiz.add_subparsers(dest="quiz_command", metavar="")

    listing = inner.add_parser("list", parents=[common], help="all questions as JSON or a table")
    listing.add_argument("--topic", action="append", choices=TOPICS)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)

    validate = inner.add_parser("validate", parents=[common], help="check question bank files")
    validate.add_argument("paths", nargs="*", type=Path, help="bank files (default: the shipped banks)")
    validate.set_defaults(handler=cmd_validate)


def cmd_list(ctx: Context) -> int:
    from torchdojo.quizzes.bank import load_shipped

    bank = load_shipped()
    questions = bank.for_topics(ctx.args.topic)
    if ctx.args.json:
        rows: list[dict[str, object]] = []
        for q in questions:
            row: dict[str, object] = {"id": q.id, "topic": q.topic, "kind": q.kind, "text": q.text.model_dump()}
            if hasattr(q, "options"):
                row["options"] = [{"id": o.id, "text": o.text.model_dump()} for o in q.options]
            if hasattr(q, "code"):
                row["code"] = q.code
            if isinstance(q, MultipleChoice):
                row["answer"] = q.answers
            elif isinstance(q, ShortAnswer):
                row["answer"] = q.accepted
            else:
                row["answer"] = q.answer
            rows.append(row)
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    for q in questions:
        ctx.out.print(f"[dim]{q.id:16}[/] {q.kind:12} {escape(q.text(ctx.lang))}", highlight=False)
    ctx.say(t(f"{len(questions)} questions.", f"共 {len(questions)} 题。"))
    return EXIT_OK


def cmd_validate(ctx: Context) -> int:
    from torchdojo.quizzes.bank import load_files, shipped_bank_files

    paths = ctx.args.paths or shipped_bank_files()
    for path in paths:
        if path.is_dir():
            raise UsageError(t(f"{path} is a directory; pass bank files (*.toml).", f"{path} 是目录;请传入题库文件(*.toml)。"))
    bank = load_files(paths)
    for problem in bank.problems:
        print(f"✗ {problem}", file=sys.stderr)
    if bank.problems:
        ctx.say(t(f"{len(bank.problems)} problem(s) in {len(paths)} file(s).", f"{len(paths)} 个文件中有 {len(bank.problems)} 个问题。"), "red")
        return EXIT_FAILED
    ctx.say(
        t(f"✓ {len(bank.questions)} questions in {len(paths)} file(s) are valid.", f"✓ {len(paths)} 个文件中的 {len(bank.questions)} 道题全部有效。"), "green"
    )
    return EXIT_OK


def cmd_quiz(ctx: Context) -> int:
    from torchdojo.quizzes.bank import load_shipped
    from torchdojo.quizzes.engine import QuizSession, due_reviews

    args = ctx.args
    bank = load_shipped()
    if bank.problems:
        raise UsageError(t(f"The shipped question bank is broken: {bank.problems[0]}", f"自带题库有错误:{bank.problems[0]}"))
    if args.count is not None and args.count < 1:
        raise UsageError(t("--count must be at least 1.", "--count 至少为 1。"))
    question_ids = None
    if args.missed:
        from torchdojo.quizzes.app.state import missed_questions

        question_ids = missed_questions(ctx.progress(), bank)
        if not question_ids:
            ctx.say(t("No missed questions: every latest answer was right.", "没有答错的题目:最近的回答都正确。"), "green")
            return EXIT_OK
    elif args.review:
        question_ids = due_reviews(ctx.progress(), bank)
        if not question_ids:
            _nothing_due(ctx, bank)
            return EXIT_OK
    store = ctx.store or ProgressStore(HOME_PROGRESS)
    session = QuizSession.start(bank, args.topic, args.count, args.seed, ctx.lang, store, question_ids)
    if not args.plain:
        from torchdojo.quizzes.app_entry import run_quiz_app  # the full-screen app, when the terminal allows

        ran = run_quiz_app(ctx, session)
        if ran is not None:
            return ran
    from torchdojo.quizzes.plain import run_plain

    return run_plain(session)


def _nothing_due(ctx: Context, bank: Bank) -> None:
    """Say when reviews come due, and how to practise the misses now."""
    from torchdojo.quizzes.app.state import later_reviews, missed_questions, when_words

    progress = ctx.progress()
    upcoming = later_reviews(progress, bank)
    missed = missed_questions(progress, bank)
    if not upcoming and not missed:
        ctx.say(t("Nothing to review yet: answer a quiz first (`torchdojo quiz`).", "还没有需要复习的题目:先做一次测验(`torchdojo quiz`)。"))
        return
    ctx.say(t("Nothing is due for review yet.", "现在还没有到期需要复习的题目。"))
    if upcoming:
        en, zh = when_words(upcoming[0][0], "en"), when_words(upcoming[0][0], "zh")
        ctx.say(t(f"{len(upcoming)} question(s) come back for review {en}.", f"{len(upcoming)} 道题将在{zh}回来复习。"))
    if missed:
        ctx.say(t(f"Practise the {len(missed)} missed now: torchdojo quiz --missed", f"现在练习答错的 {len(missed)} 题:torchdojo quiz --missed"), "cyan")
