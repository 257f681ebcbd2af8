"""The `torchdojo` command line: parses the arguments and hands off to the command of each role.

The commands live with their role (`torchdojo.learner.commands`, `torchdojo.teacher.commands`,
`torchdojo.dev.commands`); the quiz commands and the app plug in through the `torchdojo.commands`
and `torchdojo.app` entry-point groups, so the grading core never imports the quizzes.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from torchdojo import __version__
from torchdojo.core.catalog import CatalogError, load_catalog
from torchdojo.dev import commands as dev_commands
from torchdojo.i18n import LANGS, Text, t
from torchdojo.learner import commands as learner_commands
from torchdojo.learner.context import EXIT_FAILED, EXIT_USAGE, Context, UsageError
from torchdojo.paths import find_workspace, record_file
from torchdojo.record.progress import ProgressError, ProgressStore
from torchdojo.teacher import commands as teacher_commands

if TYPE_CHECKING:
    from torchdojo.core.launch import Launcher

# -- parser ---------------------------------------------------------------------------

Handler = Callable[[Context], int]


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--progress", metavar="PATH", help="progress file (default: .torchdojo/progress.json in the workspace)")
    common.add_argument("--lang", choices=LANGS, help="language of messages: en or zh")

    parser = argparse.ArgumentParser(prog="torchdojo", description="Learn PyTorch by doing. With no command, opens the app.", parents=[common])
    parser.add_argument("--version", action="version", version=f"torchdojo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", parents=[common], help="every exercise with its status and score")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=learner_commands.cmd_list)

    p = sub.add_parser("check", parents=[common], help="grade an exercise (default: the next unfinished one)")
    p.add_argument("id", nargs="?", help="exercise id (autograd/gradient_of) or path")
    p.add_argument("--file", help="grade this file as the exercise")
    p.add_argument("--json", action="store_true", help="print only the JSON report")
    p.add_argument(
        "--timeout", type=_positive_float, default=float(os.environ.get("TORCHDOJO_TIMEOUT", 60)), help="seconds for all checks together (default 60)"
    )
    p.add_argument("--memory-mb", type=int, default=2048, help="memory limit of the checking process (default 2048)")
    p.add_argument("--sandbox", action="store_true", help="check inside a bubblewrap sandbox: no network, read-only files (needs bwrap)")
    p.set_defaults(handler=learner_commands.cmd_check)

    p = sub.add_parser("submit", parents=[common], help="hand your work in: pack your exercise files into one zip for your teacher")
    p.add_argument("--out", metavar="FILE", help="the zip to write, or a folder for it (default: in the workspace)")
    p.add_argument("--student", metavar="ID", help="your student id (asked once and remembered when not given)")
    p.add_argument("id", nargs="?", help=argparse.SUPPRESS)  # the old `submit ID` meant `check ID`: answered kindly
    for old in ("--file", "--timeout", "--memory-mb"):
        p.add_argument(old, help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=learner_commands.cmd_submit)

    p = sub.add_parser("watch", parents=[common], help="re-check the current exercise whenever you save it")
    p.add_argument("id", nargs="?", help="start with this exercise (default: the next unfinished one)")
    p.add_argument("--manual", action="store_true", help="press Enter to re-check (when file events do not arrive)")
    p.add_argument("--timeout", type=_positive_float, default=60.0)
    p.set_defaults(handler=learner_commands.cmd_watch)

    p = sub.add_parser("hint", parents=[common], help="show the next hint of an exercise")
    p.add_argument("id")
    p.set_defaults(handler=learner_commands.cmd_hint)

    p = sub.add_parser("reset", parents=[common], help="restore an exercise's stub (your file is backed up)")
    p.add_argument("id")
    p.set_defaults(handler=learner_commands.cmd_reset)

    p = sub.add_parser("solution", parents=[common], help="show the reference solution of a finished exercise")
    p.add_argument("id")
    p.set_defaults(handler=learner_commands.cmd_solution)

    p = sub.add_parser("init", parents=[common], help="make a workspace with the exercise stubs")
    p.add_argument("dir", nargs="?", default="torchdojo", help="folder to create (default: ./torchdojo)")
    p.set_defaults(handler=learner_commands.cmd_init)

    course = sub.add_parser("course", parents=[common], help="teachers: an nbgrader course from the exercises")
    course_sub = course.add_subparsers(dest="course_command", metavar="ACTION", required=True)
    p = course_sub.add_parser("build", parents=[common], help="write nbgrader_config.py and source/ notebooks")
    p.add_argument("dir", help="course folder (created if needed; rebuilding is idempotent)")
    p.add_argument("--topics", nargs="+", help="topics or exercise ids to include (default: all)")
    p.add_argument("--timeout", type=_positive_float, default=60.0, help="seconds each notebook's checks may take (default 60)")
    p.set_defaults(handler=teacher_commands.cmd_course_build)
    p = course_sub.add_parser("check", parents=[common], help="validate every source notebook with nbgrader")
    p.add_argument("dir")
    p.set_defaults(handler=teacher_commands.cmd_course_check)

    dev = sub.add_parser("dev", parents=[common], help="contributors: make and check an exercise (in a clone of the repository)")
    dev_sub = dev.add_subparsers(dest="dev_command", metavar="ACTION", required=True)
    p = dev_sub.add_parser("new", parents=[common], help="write a new exercise's stub, solution, checks, catalog entry and fixtures")
    p.add_argument("id", help="TOPIC/NAME, e.g. data/pad_collate (a new topic gets the next folder number)")
    p.set_defaults(handler=dev_commands.cmd_new)
    p = dev_sub.add_parser("check", parents=[common], help="grade one exercise three ways: solution, stub, every fixture")
    p.add_argument("id")
    p.add_argument("--mutation", action="store_true", help="then its mutation score (benchmarks/mutation_score.py)")
    p.set_defaults(handler=dev_commands.cmd_check)

    from torchdojo.teacher.batch import default_jobs

    teacher = argparse.ArgumentParser(add_help=False)  # teacher commands: no learner options (--progress) in their --help
    teacher.add_argument("--lang", choices=LANGS, help="language of messages, the report and feedback: en or zh")
    p = sub.add_parser("grade-batch", parents=[teacher], help="teachers: grade a folder of submissions at once")
    p.add_argument(
        "path",
        help="one sub-folder per student, hand-in zips from `torchdojo submit` (also Canvas/Moodle bulk downloads, or the download's zip itself), or an nbgrader submitted/ folder",
    )
    p.add_argument("--out", required=True, help="FILE.csv or FILE.json")
    p.add_argument("--topics", nargs="+", help="topics or exercise ids to grade (default: all)")
    p.add_argument("--jobs", type=int, default=default_jobs(), help="parallel gradings (default: CPU cores)")
    p.add_argument("--timeout", type=_positive_float, default=60.0, help="seconds per exercise (default 60)")
    p.add_argument("--memory-mb", type=int, default=2048)
    p.add_argument("--cold", action="store_true", help="start a fresh interpreter per grading (slower; no warm worker)")
    p.add_argument(
        "--sandbox",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="grade inside a bubblewrap sandbox: no network, read-only files, no other submissions in view (default: on when bwrap works here)",
    )
    p.add_argument("--compare-gradebook", metavar="GRADEBOOK_DB", help="list every score that differs from an nbgrader gradebook.db (exit 1 if any)")
    p.add_argument("--deadline", metavar="WHEN", help="list hand-ins packed after this time (2026-06-01, 2026-06-01T23:59+08:00); no penalty is applied")
    p.add_argument("--work-dir", metavar="DIR", help="unpack hand-in archives here, a new or empty folder, kept (default: a temporary folder)")
    p.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="grade on this Dask cluster instead of this machine's cores (--jobs is then the cluster's threads); "
        'needs pip install "torchdojo[cluster]" here and on the workers; see docs/scale.md',
    )
    p.add_argument(
        "--scheduler-timeout",
        type=_positive_float,
        default=20.0,
        metavar="SECONDS",
        help="give up reaching the scheduler, or waiting for its first worker, after this long (default 20)",
    )
    from torchdojo.teacher.batch_outputs import add_output_options

    add_output_options(p)
    p.set_defaults(handler=teacher_commands.cmd_grade_batch)

    for plugin in entry_points(group="torchdojo.commands"):
        plugin.load()(sub, common)
    return parser


def make_context(args: argparse.Namespace) -> Context:
    try:
        catalog = load_catalog()
    except CatalogError as error:
        raise UsageError(t(str(error), f"无法加载练习目录(这是 torchdojo 自身的问题,不是你的代码):{error}")) from error
    workspace = find_workspace()
    store = ProgressStore(record_file(workspace, getattr(args, "progress", None)))
    return Context(args=args, catalog=catalog, workspace=workspace, store=store)


# What the teacher extra brings (pyproject.toml); a learner's plain install has none of it.
TEACHER_MODULES = frozenset({"nbgrader", "nbformat", "nbconvert", "nbclient", "jupyter_client", "ipykernel"})
TEACHER_EXTRA = Text(
    en="This is a teacher's command and needs nbgrader, which a learner's install leaves out. "
    'Install it with: pip install "torchdojo[teacher]" (from a clone: pip install -e ".[teacher]").',
    zh='这是教师使用的命令,需要 nbgrader,而学习者的安装不包含它。请这样安装:pip install "torchdojo[teacher]"(在克隆的仓库中:pip install -e ".[teacher]")。',
)


def main(argv: list[str] | None = None, early: Launcher | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args.command, args.handler = "app", _app_handler()
    err = Console(stderr=True)
    try:
        ctx = make_context(args)
        ctx.early = early
        return args.handler(ctx)
    except UsageError as error:
        lang = getattr(args, "lang", None) or os.environ.get("TORCHDOJO_LANG") or "en"
        err.print(f"[red]error:[/] {escape(error.text(lang if lang in LANGS else 'en'))}", highlight=False)
        return EXIT_USAGE
    except ProgressError as error:
        err.print(f"[red]error:[/] {escape(error.text.en)}", highlight=False)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in TEACHER_MODULES:
            raise
        lang = getattr(args, "lang", None) or os.environ.get("TORCHDOJO_LANG") or "en"
        err.print(f"[red]error:[/] {escape(TEACHER_EXTRA.en if lang != 'zh' else TEACHER_EXTRA.zh)}", highlight=False)
        return EXIT_USAGE
    except Exception as error:  # a bug in torchdojo itself: say so plainly, never a bare traceback
        if os.environ.get("TORCHDOJO_DEBUG"):
            raise
        err.print(
            f"[red]internal error:[/] {type(error).__name__}: {error}\n"
            "This is a bug in torchdojo, not in your code. Run again with TORCHDOJO_DEBUG=1 for details.",
            highlight=False,
        )
        return 3


def _app_handler() -> Handler:
    """The app registers itself as the `torchdojo.app` entry point; without it, show the list."""
    apps = list(entry_points(group="torchdojo.app"))
    if apps:
        return apps[0].load()
    return learner_commands.cmd_list_plain


if __name__ == "__main__":
    sys.exit(main())
