"""Handing work in: `torchdojo submit` packs a learner's exercise files into one zip for the teacher.

The archive holds `manifest.json` and the started exercise files under their
workspace paths (`exercises/01_autograd/02_gradient_of.py`). The manifest
(`Manifest`, validated again by the teacher's `grade-batch`) says who handed in,
when, with which torchdojo and catalog, and each file's sha256 and size. The
learner's own last scores ride along as information only: the teacher regrades.

Nothing here runs learner code, and nothing is ever overwritten except an
earlier torchdojo hand-in named by `--out` (replaced atomically).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import stat
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from torchdojo import __version__
from torchdojo.core.catalog import ID_PATTERN, Catalog, Exercise
from torchdojo.i18n import Text, t
from torchdojo.paths import CATALOG_FILE, shown_path
from torchdojo.record.progress import Progress
from torchdojo.record.workspace import WorkspaceError, exercise_file, original_stub, stub_file

if TYPE_CHECKING:
    from torchdojo.learner.context import Context

FORMAT: Final = "torchdojo-submission"
MANIFEST_NAME = "manifest.json"
MAX_STUDENT_ID = 64
MAX_FILE_BYTES = 2**20  # per exercise file; grade-batch refuses bigger ones (exercise files are a few kB)
_STUDENT_ID = re.compile(r"[\w@.+\- ]+")  # \w is Unicode: 张三 and Zoë are fine


class HandinError(Exception):
    """A hand-in cannot be made as asked; `text` says why in both languages. Nothing was written."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def student_id_problem(value: str) -> Text | None:
    """Why `value` cannot be a student id, or None when it can."""
    if not value or not value.strip():
        return t("The student id is empty.", "学号为空。")
    if value != value.strip():
        return t(f"The student id {value!r} starts or ends with a space.", f"学号 {value!r} 的开头或结尾有空格。")
    if len(value) > MAX_STUDENT_ID:
        return t(f"The student id is longer than {MAX_STUDENT_ID} characters.", f"学号超过 {MAX_STUDENT_ID} 个字符。")
    if not _STUDENT_ID.fullmatch(value) or value.startswith("."):
        return t(
            f"The student id {value!r} may hold only letters, digits, spaces and @ . _ - + (and may not start with a dot).",
            f"学号 {value!r} 只能包含字母、数字、空格以及 @ . _ - +(且不能以点开头)。",
        )
    return None


def _valid_student_id(value: str) -> str:
    problem = student_id_problem(value)
    if problem is not None:
        raise ValueError(problem.en)
    return value


StudentId = Annotated[str, AfterValidator(_valid_student_id)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class PackedFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    exercise: str = Field(pattern=ID_PATTERN)
    path: str = Field(max_length=200)  # the archive member: exercises/<catalog file>
    sha256: Sha256
    size: int = Field(ge=0)


class LocalScore(BaseModel):
    """The learner's last local result on an exercise: information for the teacher, never a grade."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exercise: str = Field(pattern=ID_PATTERN)
    score: int = Field(ge=0)
    max_score: int = Field(ge=0)
    at: AwareDatetime
    same_file: bool  # the last local check graded exactly the packed file


class Manifest(BaseModel):
    """`manifest.json` at the root of a hand-in archive."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["torchdojo-submission"] = FORMAT
    format_version: Literal[1] = 1
    student_id: StudentId
    created_at: AwareDatetime
    torchdojo_version: str = Field(min_length=1, max_length=40)
    catalog_format_version: int = Field(ge=1)
    catalog_sha256: Sha256
    files: list[PackedFile] = Field(max_length=500)
    unstarted: list[str] = Field(default_factory=list, max_length=500)
    local_scores: list[LocalScore] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _one_entry_per_file(self) -> Manifest:
        for attribute in ("path", "exercise"):
            values = [getattr(f, attribute) for f in self.files]
            if len(values) != len(set(values)):
                raise ValueError(f"the manifest lists the same {attribute} twice")
        return self


def catalog_sha256() -> str:
    return hashlib.sha256(CATALOG_FILE.read_bytes()).hexdigest()


def member_name(exercise: Exercise) -> str:
    return f"exercises/{exercise.file}"


@dataclass(frozen=True)
class Packed:
    out: Path
    manifest: Manifest
    replaced: bool  # an earlier hand-in at the same path was replaced


def _is_started(workspace: Path, exercise: Exercise, data: bytes) -> bool:
    """Started unless the file is known to equal the pristine stub (in doubt, it is packed: nothing is lost)."""
    if (workspace / "exercises" / exercise.file).resolve() == stub_file(exercise).resolve() and not (workspace / ".git").exists():
        return True  # the stub *is* the learner's file here: no pristine copy to compare with
    try:
        return data != original_stub(exercise)
    except (WorkspaceError, OSError):
        return True


def is_handin(path: Path) -> bool:
    """Whether `path` is a zip written by `torchdojo submit` (the only kind of file `--out` may replace)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(MANIFEST_NAME)
            if info.file_size > 1_000_000:
                return False
            return json.loads(archive.read(info)).get("format") == FORMAT
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, AttributeError, RuntimeError, NotImplementedError):
        return False


def default_name(student_id: str, at: datetime) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", student_id).strip("._") or "student"
    return f"torchdojo-submission-{slug}-{at.astimezone().strftime('%Y%m%d-%H%M%S')}.zip"


def resolve_out(out: str | None, workspace: Path, student_id: str, at: datetime) -> tuple[Path, bool]:
    """Where the archive goes and whether an earlier hand-in there will be replaced."""
    if out is None:
        return workspace / default_name(student_id, at), False
    target = Path(out).expanduser()
    if target.is_dir():
        return target / default_name(student_id, at), False
    if target.suffix.lower() != ".zip":
        raise HandinError(t(f"--out must name a .zip file or a folder (got {out}).", f"--out 必须是 .zip 文件或文件夹(收到的是 {out})。"))
    if not target.parent.is_dir():
        raise HandinError(t(f"The folder {target.parent} does not exist; nothing was written.", f"文件夹 {target.parent} 不存在;没有写入任何文件。"))
    if target.exists() or target.is_symlink():
        if target.is_symlink() or not target.is_file() or not is_handin(target):
            raise HandinError(
                t(
                    f"{target} already exists and is not an earlier torchdojo hand-in; it was left untouched. Choose another --out.",
                    f"{target} 已存在,且不是之前用 torchdojo 提交的文件;它保持原样。请换一个 --out。",
                )
            )
        return target, True
    return target, False


def pack(
    workspace: Path,
    catalog: Catalog,
    progress: Progress,
    student_id: str,
    out: str | None = None,
    at: datetime | None = None,
) -> Packed:
    """Write the hand-in archive atomically and return what went into it."""
    problem = student_id_problem(student_id)
    if problem is not None:
        raise HandinError(problem)
    at = at or datetime.now(UTC)
    target, replaced = resolve_out(out, workspace, student_id, at)
    contents: dict[str, bytes] = {}
    files, unstarted, scores = [], [], []
    for exercise in catalog.exercises:
        path = exercise_file(workspace, exercise)
        try:
            data = path.read_bytes() if path.is_file() else None
        except OSError as error:
            raise HandinError(
                t(
                    f"Cannot read {shown_path(path)}: {error.strerror}. Nothing was written.",
                    f"无法读取 {shown_path(path)}:{error.strerror}。没有写入任何文件。",
                )
            ) from error
        if data is None or not _is_started(workspace, exercise, data):
            unstarted.append(exercise.id)
            continue
        if len(data) > MAX_FILE_BYTES:
            raise HandinError(
                t(
                    f"{shown_path(path)} is {len(data) // 1024} kB; a hand-in file may be at most {MAX_FILE_BYTES // 1024} kB "
                    "(is there data pasted into it?). Nothing was written.",
                    f"{shown_path(path)} 有 {len(data) // 1024} kB;提交的文件最多 {MAX_FILE_BYTES // 1024} kB(是不是把数据粘贴进去了?)。没有写入任何文件。",
                )
            )
        digest = hashlib.sha256(data).hexdigest()
        contents[member_name(exercise)] = data
        files.append(PackedFile(exercise=exercise.id, path=member_name(exercise), sha256=digest, size=len(data)))
        latest = progress.latest(exercise.id)
        if latest is not None and latest.source != "reset":
            scores.append(
                LocalScore(exercise=exercise.id, score=latest.score, max_score=latest.max_score, at=latest.at, same_file=latest.file_sha256 == digest)
            )
    manifest = Manifest(
        student_id=student_id,
        created_at=at,
        torchdojo_version=__version__,
        catalog_format_version=catalog.format_version,
        catalog_sha256=catalog_sha256(),
        files=files,
        unstarted=unstarted,
        local_scores=scores,
    )
    _write_zip(target, manifest, contents)
    return Packed(out=target, manifest=manifest, replaced=replaced)


def _write_zip(target: Path, manifest: Manifest, contents: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in ((MANIFEST_NAME, manifest.model_dump_json(indent=1).encode("utf-8")), *sorted(contents.items())):
            info = zipfile.ZipInfo(name, date_time=manifest.created_at.astimezone().timetuple()[:6])
            info.external_attr = (stat.S_IFREG | 0o644) << 16  # plain files: grade-batch refuses anything else
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(buffer.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise HandinError(
            t(f"Could not write {target} ({error.strerror}); nothing was changed.", f"无法写入 {target}({error.strerror});没有做任何修改。")
        ) from error


# -- the command ------------------------------------------------------------------------


def _ask_student_id(ctx: Context) -> str:
    if not sys.stdin.isatty():
        raise HandinError(
            t(
                "No student id yet. Run `torchdojo submit --student YOUR_ID` once (your teacher tells you the id); it is remembered.",
                "还没有学号。请运行一次 `torchdojo submit --student 你的学号`(学号由老师告知);之后会被记住。",
            )
        )
    ctx.say(t("Your student id, as your teacher gave it (asked once, remembered):", "请输入老师给你的学号(只问一次,会被记住):"))
    for _ in range(3):
        try:
            answer = input("> ").strip()
        except EOFError:
            break
        problem = student_id_problem(answer)
        if problem is None:
            return answer
        ctx.warn(problem)
    raise HandinError(t("No valid student id was given; nothing was written.", "没有输入有效的学号;没有写入任何文件。"))


def old_usage(ctx: Context) -> Text | None:
    """`submit ID` (or --file/--timeout) used to mean `check`: a kind word instead of a surprise."""
    args = ctx.args
    ref = args.id or args.file
    if ref is None and args.timeout is None and args.memory_mb is None and not args.json:
        return None
    command = f"torchdojo check {ref}" if ref else "torchdojo check"
    return t(
        f"`torchdojo submit` now hands your work in to your teacher (it packs your exercises into one zip); it no longer "
        f"grades. To grade locally, run `{command}`. To hand in, run `torchdojo submit` with no exercise id.",
        f"`torchdojo submit` 现在用于向老师提交作业(把你的练习打包成一个 zip),不再评分。要在本地评分,请运行 "
        f"`{command}`。要提交作业,请运行不带练习编号的 `torchdojo submit`。",
    )


def cmd_submit(ctx: Context) -> int:
    kind = old_usage(ctx)
    if kind is not None:
        raise HandinError(kind)
    workspace = ctx.workspace
    if workspace is None:
        raise HandinError(
            t(
                "Not inside a torchdojo workspace: run `torchdojo submit` from the folder where you do the exercises.",
                "当前不在 torchdojo 工作区中:请在你做练习的文件夹里运行 `torchdojo submit`。",
            )
        )
    given = ctx.args.student
    if given is not None:
        given = given.strip()
        problem = student_id_problem(given)
        if problem is not None:
            raise HandinError(problem)
    progress = ctx.progress()
    remembered = progress.student_id
    student_id = given or remembered or _ask_student_id(ctx)
    at = datetime.now(UTC)
    resolve_out(ctx.args.out, workspace, student_id, at)  # a bad --out fails before the record changes
    if ctx.store is not None and student_id != remembered:

        def remember(p: Progress) -> None:
            p.student_id = student_id

        ctx.update(remember)
        progress = ctx.progress()
    packed = pack(workspace, ctx.catalog, progress, student_id, ctx.args.out, at)
    _print_summary(ctx, packed, remembered)
    return 0


def _print_summary(ctx: Context, packed: Packed, remembered: str | None) -> None:
    manifest = packed.manifest
    scores = {s.exercise: s for s in manifest.local_scores}
    if manifest.student_id != remembered:
        ctx.say(t(f"Student id {manifest.student_id} remembered for next time.", f"已记住学号 {manifest.student_id},下次不必再输入。"), "dim")
    ctx.say(
        t(f"Packed {len(manifest.files)} exercise file(s) for {manifest.student_id}:", f"已为 {manifest.student_id} 打包 {len(manifest.files)} 个练习文件:"),
        "bold",
    )
    for item in manifest.files:
        score = scores.get(item.exercise)
        if score is None:
            local = t("not checked locally", "尚未在本地检查")
        elif score.same_file:
            local = t(f"your last local score {score.score}/{score.max_score}", f"你上次本地得分 {score.score}/{score.max_score}")
        else:
            local = t(f"changed since your last local score {score.score}/{score.max_score}", f"在你上次本地得分 {score.score}/{score.max_score} 之后已修改")
        ctx.say(t(f"  {item.path}  ({local.en})", f"  {item.path}({local.zh})"))
    if manifest.unstarted:
        ctx.say(
            t(
                f"Not started, not packed ({len(manifest.unstarted)}): {', '.join(manifest.unstarted)}",
                f"尚未开始、未打包({len(manifest.unstarted)} 个):{', '.join(manifest.unstarted)}",
            ),
            "yellow",
        )
    if not manifest.files:
        ctx.say(t("No exercise is started yet: the archive holds only the manifest.", "还没有开始任何练习:压缩包里只有清单文件。"), "yellow")
    where = shown_path(packed.out)
    verb = t("Replaced", "已替换") if packed.replaced else t("Wrote", "已写入")
    ctx.say(
        t(
            f"{verb.en} {where}: hand this file in (your teacher regrades it; local scores are for information).",
            f"{verb.zh} {where}:请提交这个文件(老师会重新评分;本地得分仅供参考)。",
        ),
        "green",
    )
