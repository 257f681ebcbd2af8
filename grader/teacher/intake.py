"""grade-batch's intake: hand-in archives and LMS bulk downloads, checked before anything is graded.

A batch folder may hold, side by side:

- student folders laid out like a workspace (as before);
- hand-in archives written by `torchdojo submit` (`*.zip`), under any name;
- a Canvas bulk download: `doejane_12345_678901_hand.zip`, or
  `doejane_LATE_12345_678901_hand.zip` when Canvas marked it late
  (sortable name, user id, submission/attachment id, the uploaded file's name);
- a Moodle bulk download: folders `Jane Doe_12345_assignsubmission_file_/hand.zip`
  (participant id), or flat files `Jane Doe_12345_assignsubmission_file_hand.zip`.

The batch PATH may also be the bulk-download zip itself.

Every archive is checked in memory before a byte of it is written: readable,
no path traversal, no symlinks or special files, sane sizes (no zip bombs),
only `manifest.json` and the catalog's exercise files, a valid manifest whose
sha256 and sizes match the files, one archive per student. A rejected archive is
listed with its student and status and its rows say `rejected`; it never stops
the batch. Accepted files are written only under the work directory, at paths
made from the catalog (never from names inside the archive).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from torchdojo.core.catalog import Catalog, Exercise
from torchdojo.i18n import Text, t
from torchdojo.record.handin import MANIFEST_NAME, MAX_FILE_BYTES, Manifest, catalog_sha256, member_name, student_id_problem
from torchdojo.teacher.batch import Origin, Student, Task, plan

# Archive statuses, most serious first: an archive gets the first that applies.
OK = "ok"
UNSAFE_PATH = "unsafe_path"  # ../, absolute paths, backslashes, a name twice
SYMLINK = "symlink"  # a symlink or another non-regular file (device, FIFO)
TOO_LARGE = "too_large"  # absurd sizes, member counts or compression ratios: a zip bomb
UNREADABLE = "unreadable"  # not a zip, damaged, encrypted
OUTSIDE = "outside_exercise_set"  # files that are not the catalog's exercise files
NO_MANIFEST = "no_manifest"
BAD_MANIFEST = "bad_manifest"
MISMATCH = "manifest_mismatch"  # files and manifest disagree (hash, size, missing or unlisted file)
DUPLICATE = "duplicate_student"  # several archives for one student: none is graded, the teacher decides
IGNORED = "ignored"  # not a hand-in at all (a stray file, a Moodle online-text folder)

SEVERITY = (UNSAFE_PATH, SYMLINK, TOO_LARGE, UNREADABLE, OUTSIDE, NO_MANIFEST, BAD_MANIFEST, MISMATCH)

STATUS_TEXT: dict[str, Text] = {
    OK: t("accepted", "已接受"),
    UNSAFE_PATH: t("unsafe path inside (path traversal)", "包含不安全的路径(路径穿越)"),
    SYMLINK: t("symlink or special file inside", "包含符号链接或特殊文件"),
    TOO_LARGE: t("absurd size (zip bomb?)", "大小异常(可能是 zip 炸弹)"),
    UNREADABLE: t("not a readable zip", "不是可读取的 zip 文件"),
    OUTSIDE: t("files outside the exercise set", "包含练习之外的文件"),
    NO_MANIFEST: t("no manifest.json: not made by `torchdojo submit`", "没有 manifest.json:不是 `torchdojo submit` 生成的"),
    BAD_MANIFEST: t("invalid manifest.json", "manifest.json 无效"),
    MISMATCH: t("manifest does not match the files", "清单与文件不符"),
    DUPLICATE: t("duplicate student id", "学号重复"),
    IGNORED: t("ignored", "已忽略"),
}


@dataclass(frozen=True)
class SizeLimits:
    archive_bytes: int = 20 * 2**20  # the archive file itself
    members: int = 200
    file_bytes: int = MAX_FILE_BYTES  # one exercise file uncompressed (they are a few kB)
    total_bytes: int = 16 * 2**20  # everything uncompressed
    ratio: int = 100  # uncompressed / compressed, for members over 64 kB
    manifest_bytes: int = 2**20


DEFAULT_LIMITS = SizeLimits()  # frozen: one shared default is safe


class IntakeError(Exception):
    """The batch cannot start as asked (a bad --deadline or --work-dir); nothing was written."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


# -- LMS naming -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LmsName:
    lms: str  # "canvas" or "moodle"
    user_id: str  # Canvas user id, Moodle participant id
    name: str  # Canvas sortable name (doejane), Moodle full name (Jane Doe)
    file: str  # the uploaded file's own name ("" for a Moodle folder)
    late: bool = False  # Canvas put LATE in the name
    plugin: str = "file"  # Moodle: assignsubmission_<plugin> (file, onlinetext, ...)


_MOODLE = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)$", re.DOTALL)
_CANVAS = re.compile(r"^(?P<name>[^_]+)_(?:(?P<late>LATE)_)?(?P<user>\d+)_(?P<sub>\d+)_(?P<file>.+)$", re.DOTALL)


def parse_lms_name(name: str) -> LmsName | None:
    """The student a Canvas or Moodle bulk-download file or folder name carries, if it is one."""
    moodle = _MOODLE.match(name)
    if moodle:
        return LmsName("moodle", moodle["id"], moodle["name"], moodle["file"], plugin=moodle["plugin"])
    canvas = _CANVAS.match(name)
    if canvas:
        return LmsName("canvas", canvas["user"], canvas["name"], canvas["file"], late=bool(canvas["late"]))
    return None


# -- deadline ------------------------------------------------------------------------------


def parse_deadline(text: str) -> datetime:
    """`2026-06-01` (the end of that day, local time), `2026-06-01T23:59`, `2026-06-01 23:59+08:00`, `...Z`."""
    raw = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            moment = datetime.combine(date.fromisoformat(raw), time(23, 59, 59))
        else:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise IntakeError(
            t(
                f"--deadline {text!r} is not a date: write 2026-06-01, 2026-06-01T23:59 or 2026-06-01T23:59+08:00.",
                f"--deadline {text!r} 不是日期:请写成 2026-06-01、2026-06-01T23:59 或 2026-06-01T23:59+08:00。",
            )
        ) from None
    return moment if moment.tzinfo else moment.astimezone()  # naive means the teacher's local time


def _late_by(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"]
    return " ".join(parts)


# -- checking one archive -------------------------------------------------------------------


@dataclass
class Checked:
    status: str
    detail: str = ""
    manifest: Manifest | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # exercise id -> content, only when status is ok
    notes: list[str] = field(default_factory=list)
    student: str = ""  # whom a rejected archive's manifest names, when it can be read


def _unsafe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part in ("..", ".") for part in name.rstrip("/").split("/")) or "//" in name


def _kind(info: zipfile.ZipInfo) -> str:
    """file, dir, symlink or special, from the Unix mode a zip may carry (no type bits: a plain file or folder)."""
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return "symlink"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "special"
    return "dir" if info.is_dir() or kind == stat.S_IFDIR else "file"


def check_archive(data: bytes, catalog: Catalog, limits: SizeLimits = DEFAULT_LIMITS, now: datetime | None = None) -> Checked:
    """Everything wrong with one hand-in archive, judged in memory; its files only when all is well."""
    if len(data) > limits.archive_bytes:
        return Checked(TOO_LARGE, f"the archive is {len(data) // 2**20} MiB (at most {limits.archive_bytes // 2**20} MiB)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        return Checked(UNREADABLE, f"not a zip file or damaged ({error})")
    with archive:
        return _check_members(archive, infos, catalog, limits, now or datetime.now(UTC))


def _check_members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], catalog: Catalog, limits: SizeLimits, now: datetime) -> Checked:
    allowed = {member_name(e): e for e in catalog.exercises}
    allowed_dirs = {str(parent) + "/" for name in allowed for parent in PurePosixPath(name).parents if str(parent) != "."}
    problems: dict[str, list[str]] = {}

    def problem(status: str, what: str) -> None:
        problems.setdefault(status, []).append(what)

    if len(infos) > limits.members:
        problem(TOO_LARGE, f"{len(infos)} entries (at most {limits.members})")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if _unsafe_name(name):
            problem(UNSAFE_PATH, repr(name))
        if name in seen:
            problem(UNSAFE_PATH, f"{name!r} twice")
        seen.add(name)
        kind = _kind(info)
        if kind in ("symlink", "special"):
            problem(SYMLINK, f"{name!r} is a {'symlink' if kind == 'symlink' else 'special file'}")
            continue
        if info.flag_bits & 0x1:
            problem(UNREADABLE, f"{name!r} is encrypted")
        total += info.file_size
        if info.file_size > limits.file_bytes:
            problem(TOO_LARGE, f"{name!r} unpacks to {info.file_size} bytes (at most {limits.file_bytes})")
        elif info.file_size > 64 * 2**10 and info.file_size > limits.ratio * max(info.compress_size, 1):
            problem(TOO_LARGE, f"{name!r} is compressed {info.file_size // max(info.compress_size, 1)}:1")
        if kind == "dir":
            if name not in allowed_dirs:
                problem(OUTSIDE, repr(name))
        elif name != MANIFEST_NAME and name not in allowed:
            problem(OUTSIDE, repr(name))
    if total > limits.total_bytes:
        problem(TOO_LARGE, f"unpacks to {total} bytes in all (at most {limits.total_bytes})")
    first = _first(problems)
    if first is not None:
        first.student = _peek_student(archive, infos, limits)
        return first
    contents: dict[str, bytes] = {}
    for info in infos:
        if info.is_dir():
            continue
        cap = limits.manifest_bytes if info.filename == MANIFEST_NAME else limits.file_bytes
        try:
            with archive.open(info) as handle:
                body = handle.read(cap + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as error:
            return Checked(UNREADABLE, f"{info.filename!r} cannot be read ({error})")
        if len(body) > cap:
            return Checked(TOO_LARGE, f"{info.filename!r} unpacks to more than its header says")
        contents[info.filename] = body
    if MANIFEST_NAME not in contents:
        return Checked(NO_MANIFEST, "no manifest.json at the top of the archive")
    try:
        manifest = Manifest.model_validate_json(contents.pop(MANIFEST_NAME))
    except ValidationError as error:
        first_error = error.errors()[0]
        where = ".".join(str(part) for part in first_error.get("loc", ())) or "manifest"
        return Checked(BAD_MANIFEST, f"{where}: {first_error.get('msg', 'invalid')}")
    mismatches = _compare(manifest, contents, allowed)
    if mismatches:
        return Checked(MISMATCH, "; ".join(mismatches), manifest=manifest)
    notes = []
    if manifest.catalog_sha256 != catalog_sha256():
        notes.append(f"packed with another catalog (torchdojo {manifest.torchdojo_version}): graded with this one")
    if manifest.created_at > now + timedelta(minutes=10):
        notes.append(f"archive time {manifest.created_at.isoformat(timespec='seconds')} is in the future: the learner's clock is wrong")
    files = {allowed[name].id: body for name, body in contents.items()}
    return Checked(OK, manifest=manifest, files=files, notes=notes)


def _peek_student(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: SizeLimits) -> str:
    """The student id a rejected archive's manifest claims, read in memory, so the listing can name them."""
    for info in infos:
        if info.filename == MANIFEST_NAME and _kind(info) == "file" and info.file_size <= limits.manifest_bytes:
            try:
                with archive.open(info) as handle:
                    claimed = json.loads(handle.read(limits.manifest_bytes + 1)).get("student_id")
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError, AttributeError):
                return ""
            return claimed if isinstance(claimed, str) and student_id_problem(claimed) is None else ""
    return ""


def _first(problems: dict[str, list[str]]) -> Checked | None:
    for status in SEVERITY:
        if status in problems:
            found = problems[status]
            shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
            return Checked(status, shown)
    return None


def _compare(manifest: Manifest, contents: dict[str, bytes], allowed: dict[str, Exercise]) -> list[str]:
    found = []
    listed = {f.path: f for f in manifest.files}
    for path, entry in listed.items():
        if path not in allowed or allowed[path].id != entry.exercise:
            found.append(f"{path} is listed as {entry.exercise}")
        elif path not in contents:
            found.append(f"{path} is listed but missing")
        elif hashlib.sha256(contents[path]).hexdigest() != entry.sha256 or len(contents[path]) != entry.size:
            found.append(f"{path} changed after packing (sha256 or size differs)")
    found += [f"{path} is in the archive but not in the manifest" for path in sorted(set(contents) - set(listed))]
    return found


# -- the whole folder ---------------------------------------------------------------------------


@dataclass
class Entry:
    """One thing found in the batch folder, and what intake made of it."""

    source: str  # as the teacher sees it, relative to the batch PATH
    kind: str  # "archive", "folder" or "other"
    status: str = OK
    detail: str = ""
    student: str = ""
    origin: Origin = field(default_factory=Origin)
    folder: Path | None = None  # where its exercise files are

    @property
    def accepted(self) -> bool:
        return self.status == OK


@dataclass
class Intake:
    entries: list[Entry]
    tasks: list[Task]
    work_dir: Path | None
    deadline: datetime | None
    _temporary: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def __enter__(self) -> Intake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def archives(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == "archive"]

    @property
    def late(self) -> list[Entry]:
        return [e for e in self.entries if e.origin.late]

    def lines(self) -> list[tuple[Text, str]]:
        """What the teacher should read: every archive's fate, late hand-ins, ignored files."""
        said: list[tuple[Text, str]] = []
        archives = self.archives
        if archives:
            accepted = sum(e.accepted for e in archives)
            said.append(
                (
                    t(
                        f"Hand-in archives: {accepted} accepted, {len(archives) - accepted} rejected.",
                        f"提交的压缩包:{accepted} 个已接受,{len(archives) - accepted} 个被拒绝。",
                    ),
                    "bold",
                )
            )
        for entry in self.entries:
            if entry.accepted:
                continue
            words = STATUS_TEXT[entry.status]
            if entry.kind == "other":
                said.append((t(f"  {entry.status}: {entry.source}: {entry.detail}", f"  {entry.status}:{entry.source}:{words.zh}"), "dim"))
                continue
            who = entry.student or "?"
            said.append(
                (
                    t(
                        f"  {entry.status}: {who} <- {entry.source}: {words.en}. {entry.detail}".rstrip(),
                        f"  {entry.status}:{who} <- {entry.source}:{words.zh}。{entry.detail}".rstrip(),
                    ),
                    "dim" if entry.status == IGNORED else "red",
                )
            )
        for entry in self.entries:
            for note in entry.origin.notes:
                said.append((t(f"  note: {entry.student} <- {entry.source}: {note}", f"  注意:{entry.student} <- {entry.source}:{note}"), "yellow"))
        late = self.late
        if self.deadline is not None or late:
            when = self.deadline.isoformat(timespec="minutes") if self.deadline else "-"
            said.append((t(f"Late ({len(late)}; deadline {when}; no penalty applied):", f"迟交({len(late)} 份;截止时间 {when};未扣分):"), "bold"))
            for entry in late:
                said.append(
                    (
                        t(
                            f"  {entry.student} <- {entry.source}: {entry.origin.late_reason}",
                            f"  {entry.student} <- {entry.source}:{entry.origin.late_reason}",
                        ),
                        "yellow",
                    )
                )
        return said


def open_work_dir(work_dir: str | Path | None) -> tuple[Path, tempfile.TemporaryDirectory[str] | None]:
    """The one folder intake writes to: a fresh temporary one, or the teacher's (new or empty)."""
    if work_dir is None:
        temporary = tempfile.TemporaryDirectory(prefix="torchdojo-intake-")
        return Path(temporary.name), temporary
    folder = Path(work_dir).expanduser()
    if folder.is_symlink() or (folder.exists() and (not folder.is_dir() or any(folder.iterdir()))):
        raise IntakeError(
            t(f"--work-dir {folder} must be a new or empty folder; it was left untouched.", f"--work-dir {folder} 必须是新的或空的文件夹;它保持原样。")
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise IntakeError(t(f"Cannot create --work-dir {folder}: {error.strerror}.", f"无法创建 --work-dir {folder}:{error.strerror}。")) from error
    return folder.resolve(), None


def _has_exercise_files(folder: Path, catalog: Catalog) -> bool:
    return any((base / e.file).is_file() for e in catalog.exercises for base in (folder / "exercises", folder))


def _read_capped(path: Path, cap: int) -> bytes | None:
    with open(path, "rb") as handle:
        data = handle.read(cap + 1)
    return None if len(data) > cap else data


def _printable(name: str) -> str:
    """A name safe to print and to put in a table: control characters (terminal escapes) become '?'."""
    return "".join(c if c.isprintable() else "?" for c in name)


def _archive_entry(source: str, lms: LmsName | None) -> Entry:
    entry = Entry(source=_printable(source), kind="archive")
    if lms is not None:
        entry.origin = Origin(student_id=lms.user_id, display_name=_printable(lms.name), lms=lms.lms, lms_late=lms.late)
    return entry


def _refused(entry: Entry, status: str, detail: str) -> tuple[Entry, None]:
    entry.status, entry.detail = status, detail
    return entry, None


def _from_file(source: str, path: Path, lms: LmsName | None, limits: SizeLimits) -> tuple[Entry, bytes | None]:
    entry = _archive_entry(source, lms)
    try:
        data = _read_capped(path, limits.archive_bytes)
    except OSError as error:
        return _refused(entry, UNREADABLE, f"cannot read it ({error.strerror})")
    if data is None:
        return _refused(entry, TOO_LARGE, f"the archive is over {limits.archive_bytes // 2**20} MiB")
    return entry, data


def _found(root: Path, catalog: Catalog, limits: SizeLimits) -> list[tuple[Entry, bytes | None]]:
    """Every archive (with its bytes), student folder and stray file in the batch PATH."""
    if root.is_file():
        return _bulk(root, limits)
    found: list[tuple[Entry, bytes | None]] = []
    for path in sorted(root.iterdir()):
        if path.name.startswith("."):
            continue
        lms = parse_lms_name(path.name)
        if path.is_file() and path.suffix.lower() == ".zip":
            found.append(_from_file(path.name, path, lms, limits))
        elif path.is_dir():
            inner = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".zip" and not p.name.startswith("."))
            if lms is not None and lms.plugin != "file":
                found.append((Entry(_printable(path.name) + "/", "other", IGNORED, f"a {lms.lms} '{lms.plugin}' submission, not a file hand-in"), None))
            elif inner and not _has_exercise_files(path, catalog):
                found += [_from_file(f"{path.name}/{item.name}", item, lms or parse_lms_name(item.name), limits) for item in inner]
            else:
                origin = Origin(student_id=lms.user_id, display_name=_printable(lms.name), lms=lms.lms) if lms else Origin()
                found.append((Entry(_printable(path.name) + "/", "folder", student=path.name, origin=origin, folder=path), None))
        else:
            found.append((Entry(_printable(path.name), "other", IGNORED, "not a .zip hand-in or a student folder"), None))
    return found


def _bulk(path: Path, limits: SizeLimits) -> list[tuple[Entry, bytes | None]]:
    """PATH is one zip: a single hand-in, or an LMS bulk download holding one zip per student."""
    whole = _archive_entry(_printable(path.name), parse_lms_name(path.name))
    try:
        outer = zipfile.ZipFile(path)  # read lazily: a class's download may be large, each member is capped
        infos = outer.infolist()
    except OSError as error:
        return [_refused(whole, UNREADABLE, f"cannot read it ({error.strerror})")]
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as error:
        return [_refused(whole, UNREADABLE, f"not a zip file or damaged ({error})")]
    if any(info.filename == MANIFEST_NAME for info in infos):  # a single hand-in
        outer.close()
        return [_from_file(whole.source, path, parse_lms_name(path.name), limits)]
    found: list[tuple[Entry, bytes | None]] = []
    with outer:
        for info in infos[: 10 * limits.members]:
            name = info.filename
            parts = PurePosixPath(name).parts
            if info.is_dir() or not name.lower().endswith(".zip") or not parts or parts[-1].startswith(".") or "__MACOSX" in parts:
                continue
            lms = parse_lms_name(parts[-1]) or (parse_lms_name(parts[-2]) if len(parts) > 1 else None)
            entry = _archive_entry(_printable(f"{path.name}:{name}"), lms)
            if _unsafe_name(name):
                found.append(_refused(entry, UNSAFE_PATH, f"its name {name!r} in the download is unsafe"))
            elif _kind(info) != "file":
                found.append(_refused(entry, SYMLINK, "a symlink or special file in the download"))
            elif info.file_size > limits.archive_bytes:
                found.append(_refused(entry, TOO_LARGE, f"the archive is over {limits.archive_bytes // 2**20} MiB"))
            else:
                try:
                    with outer.open(info) as handle:
                        body = handle.read(limits.archive_bytes + 1)
                except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as error:
                    found.append(_refused(entry, UNREADABLE, f"cannot be read from the download ({error})"))
                    continue
                found.append((entry, body) if len(body) <= limits.archive_bytes else _refused(entry, TOO_LARGE, "larger than its header says"))
    return found


def _stem(source: str) -> str:
    name = PurePosixPath(source.replace(":", "/")).name
    return name[:-4] if name.lower().endswith(".zip") else name


def _mark_duplicates(entries: list[Entry]) -> None:
    """One hand-in per student: several archives (or an archive and a folder) for one student are all held back."""
    groups: dict[tuple[str, ...], list[Entry]] = {}
    for entry in entries:
        if entry.kind == "folder" or (entry.kind == "archive" and entry.student):
            groups.setdefault(("student", entry.student), []).append(entry)
        if entry.kind == "archive" and entry.origin.lms:
            groups.setdefault(("lms", entry.origin.lms, entry.origin.student_id), []).append(entry)
    for group in groups.values():
        if len(group) < 2:
            continue
        for entry in group:
            others = ", ".join(other.source for other in group if other is not entry)
            if entry.status == OK:
                entry.status, entry.detail = DUPLICATE, f"also handed in: {others}; none is graded, keep one and grade again"
            elif entry.status == DUPLICATE and others not in entry.detail:
                entry.detail += f"; also {others}"


def _late(entry: Entry, deadline: datetime | None) -> None:
    reasons = []
    if entry.origin.lms_late:
        reasons.append(f"{entry.origin.lms.capitalize()} marked it LATE")
    at = entry.origin.submitted_at
    if deadline is not None and at is not None and at > deadline:
        reasons.append(f"packed {_late_by(at - deadline)} after the deadline (archive time {at.isoformat(timespec='minutes')}, the learner's clock)")
    if reasons:
        entry.origin = entry.origin.model_copy(update={"late": True, "late_reason": "; ".join(reasons)})


def _write_files(work: Path, index: int, files: dict[str, bytes], catalog: Catalog) -> Path:
    """Accepted files go to work/students/NNN/exercises/<catalog path>: names from the catalog, never from the archive."""
    folder = work / "students" / f"{index:04d}"
    for exercise_id, body in files.items():
        target = folder / "exercises" / catalog.by_id[exercise_id].file
        if not target.resolve().is_relative_to(work.resolve()):
            raise RuntimeError(f"refusing to write outside the work directory: {target}")
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(body)
    return folder


def take_in(
    root: Path,
    catalog: Catalog,
    exercises: list[Exercise] | None = None,
    work_dir: str | Path | None = None,
    deadline: str | datetime | None = None,
    limits: SizeLimits = DEFAULT_LIMITS,
    now: datetime | None = None,
) -> Intake:
    """Check everything in the batch PATH and plan the gradings; the caller grades `tasks` and then closes it."""
    from torchdojo.teacher.batch import is_nbgrader_submitted

    deadline_at = parse_deadline(deadline) if isinstance(deadline, str) else deadline
    if work_dir is not None and root.is_dir() and Path(work_dir).expanduser().resolve().is_relative_to(root.resolve()):
        raise IntakeError(
            t(
                f"--work-dir {work_dir} is inside {root}: choose a folder outside the submissions (they are never changed).",
                f"--work-dir {work_dir} 位于 {root} 之内:请选择提交文件夹之外的文件夹(提交的内容从不被修改)。",
            )
        )
    if root.is_dir() and is_nbgrader_submitted(root):
        return Intake(entries=[], tasks=plan(root, catalog, exercises), work_dir=None, deadline=deadline_at)
    found = _found(root, catalog, limits)
    files: dict[int, dict[str, bytes]] = {}
    for entry, data in found:
        if entry.kind != "archive":
            continue
        updates: dict[str, object] = {"archive": entry.source}
        if entry.status == OK and data is not None:
            checked = check_archive(data, catalog, limits, now)
            entry.status, entry.detail = checked.status, _printable(checked.detail)  # names inside come from the archive
            entry.student = checked.student
            if checked.manifest is not None:
                entry.student = checked.manifest.student_id
                updates.update(submitted_at=checked.manifest.created_at, student_id=entry.origin.student_id or checked.manifest.student_id)
            updates["notes"] = checked.notes
            if checked.status == OK:
                files[id(entry)] = checked.files
        entry.student = entry.student or entry.origin.display_name or _stem(entry.source)
        entry.origin = entry.origin.model_copy(update=updates)
        _late(entry, deadline_at)
    entries = [entry for entry, _ in found]
    _mark_duplicates(entries)
    work: Path | None = None
    temporary = None
    if files and any(e.accepted and id(e) in files for e in entries):
        work, temporary = open_work_dir(work_dir)
    elif work_dir is not None:
        work, temporary = open_work_dir(work_dir)
    students: list[Student] = []
    for index, entry in enumerate(entries):
        if entry.kind == "folder":
            students.append(Student(entry.student, entry.folder, entry.origin))
        elif entry.kind == "archive":
            if entry.accepted:
                assert work is not None
                entry.folder = _write_files(work, index, files[id(entry)], catalog)
                students.append(Student(entry.student, entry.folder, entry.origin))
            else:
                problem = f"{entry.status}: {STATUS_TEXT[entry.status].en}" + (f" ({entry.detail})" if entry.detail else "")
                students.append(Student(entry.student, None, entry.origin.model_copy(update={"problem": problem})))
    tasks = plan(root, catalog, exercises, students=students)
    return Intake(entries=entries, tasks=tasks, work_dir=work, deadline=deadline_at, _temporary=temporary)
