"""`grade-batch --scheduler tcp://HOST:PORT`: the same rows as a local run, graded on a Dask cluster.

Why it is built this way:

- Submissions travel as data (the file's bytes and its name below the student's folder), so the
  workers need torchdojo installed but no view of the teacher's disk. Each task writes its file
  into a private temporary folder on the worker and deletes it afterwards.
- Each Dask worker keeps one warm worker (`WarmPlugin`, a Dask `WorkerPlugin`): torch and the
  checks are imported once per Dask worker, and every grading is a fresh fork with the very
  isolation, limits and guard of a local run.
- The worker runs `torchdojo.teacher.batch.grade_task`, the function a local run uses, so a row is built by
  the same code wherever it was graded; only `source` is set back to the teacher's path.
- A task's key is a hash of student, exercise, file content and limits. When a worker dies, Dask
  runs its tasks elsewhere; the client keeps one result per task, so no student is lost and none
  is counted twice. A task the cluster cannot finish (its workers keep dying) is graded here,
  with the same code, and said so.
- Before anything is graded, the workers must answer with the same catalog, checks and reference
  solutions as this machine (a fingerprint): a cluster running another torchdojo would give other
  scores.

dask is an extra (`pip install "torchdojo[cluster]"`): nothing here imports it at module level.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

import torchdojo
from torchdojo.core.runner import Limits
from torchdojo.i18n import Text, t
from torchdojo.paths import CATALOG_FILE, CHECKS_DIR, solutions_dir
from torchdojo.teacher.batch import BatchRow, Origin, Task, grade_task

if TYPE_CHECKING:
    from distributed import Client, Future

    from torchdojo.core.warm import WarmWorker

PLUGIN_NAME = "torchdojo-warm"
INSTALL = 'pip install "torchdojo[cluster]"'
DEFAULT_CONNECT_TIMEOUT = 20.0
RETRIES = 1  # an exception inside a task (not a dead worker: Dask reschedules those itself)


class ClusterError(Exception):
    """The cluster cannot be used: one clear line for the teacher, nothing graded or written."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def require_dask() -> None:
    """Refuse early, with the install command, when dask.distributed is not installed."""
    try:
        import distributed  # noqa: F401  # only asks whether it is installed
    except ImportError:
        raise ClusterError(
            t(
                f"--scheduler needs dask.distributed, which is not installed here. Install it with: {INSTALL}",
                f"--scheduler 需要 dask.distributed,但这里没有安装。请运行:{INSTALL}",
            )
        ) from None


@functools.cache
def fingerprint() -> str:
    """What decides a score besides the submission: torchdojo's version, the catalog, the checks and
    the reference solutions. Workers must match this machine, or their rows could differ."""
    digest = hashlib.sha256(torchdojo.__version__.encode())
    files = [CATALOG_FILE, *sorted(CHECKS_DIR.rglob("*.py")), *sorted(solutions_dir().rglob("*.py"))]
    for path in files:
        if "__pycache__" in path.parts:
            continue
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


# -- what travels ---------------------------------------------------------------------------


class Submission(BaseModel):
    """One task as data: everything a worker needs, nothing that points at the teacher's disk."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str  # Dask's key: the same submission graded twice has the same key
    student: str
    exercise: str  # the catalog id; the worker resolves it in its own (identical) catalog
    relative: str  # the file's path below the student's folder (exercises/01_autograd/02_x.py)
    content: bytes
    notebook: bool
    origin: Origin
    limits: Limits
    warm: bool
    fingerprint: str
    sandbox_where_available: bool = False  # the teacher left --sandbox unset: each worker sandboxes if bwrap works there
    rehearse: bool = False  # the batch grades this exercise more than once: a worker rehearses it before its first run there


def _relative(task: Task) -> str:
    """The file's place below the student's folder, so the worker lays it out as the teacher's disk does."""
    assert task.file is not None
    depth = 2 if task.notebook else len(PurePosixPath(task.exercise.file).parts)
    parts = task.file.parts
    if not task.notebook and len(parts) > depth and parts[-depth - 1] == "exercises":
        depth += 1
    return "/".join(parts[-depth:])


def submission(task: Task, limits: Limits, warm: bool = True, sandbox_where_available: bool = False, rehearse: bool = False) -> Submission:
    """The task as data; the key hashes who, what, the bytes and the limits (idempotent on retries)."""
    assert task.file is not None
    content = task.file.read_bytes()
    digest = hashlib.sha256()
    for part in (task.student, task.exercise.id, str(task.notebook), limits.model_dump_json(), fingerprint()):
        digest.update(part.encode() + b"\0")
    digest.update(content)
    return Submission(
        key=f"torchdojo-grade-{digest.hexdigest()[:24]}",
        student=task.student,
        exercise=task.exercise.id,
        relative=_relative(task),
        content=content,
        notebook=task.notebook,
        origin=task.origin,
        limits=limits,
        warm=warm,
        fingerprint=fingerprint(),
        sandbox_where_available=sandbox_where_available,
        rehearse=rehearse,
    )


# -- the worker side ------------------------------------------------------------------------


def _worker_plugin_base() -> type:
    try:
        from distributed.diagnostics.plugin import WorkerPlugin
    except ImportError:  # only the client needs to import this module without dask (to say what to install)
        return object
    return WorkerPlugin


if TYPE_CHECKING:
    from distributed.diagnostics.plugin import WorkerPlugin as _PluginBase
else:
    _PluginBase = _worker_plugin_base()


class WarmPlugin(_PluginBase):
    """One warm worker per Dask worker, started when the plugin is attached and closed with the worker.

    Dask runs a worker's tasks on its threads (`--nthreads`); a WarmWorker is safe to share between
    them. If it dies (its host ran out of memory, say), the next task starts a new one."""

    name = PLUGIN_NAME
    idempotent = True  # a second teacher's client does not restart the warm workers

    def __init__(self) -> None:
        self._warm: WarmWorker | None = None
        self._pool: Any = None  # a torchdojo.core.sandbox.SandboxPool, started by the first sandboxed task
        self._lock = threading.Lock()
        self._rehearsing = threading.Lock()  # one rehearsal at a time; the other threads' tasks wait for it
        self._rehearsed: set[str] = set()  # exercise ids the current warm worker was asked to rehearse

    def __getstate__(self) -> dict[str, Any]:
        return {"plugin": PLUGIN_NAME}  # travels empty: the warm worker is started on the worker, never pickled

    def __setstate__(self, state: dict[str, Any]) -> None:
        WarmPlugin.__init__(self)

    def setup(self, worker: object = None) -> None:
        self._start()  # in the worker's event loop: start importing torch now, wait for it in the first task

    def teardown(self, worker: object = None) -> None:
        with self._lock:
            if self._warm is not None:
                self._warm.close()
                self._warm = None
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def _start(self) -> WarmWorker:
        from torchdojo.core.warm import WarmWorker

        with self._lock:
            if self._warm is None or not self._warm.alive:
                if self._warm is not None:
                    self._warm.close()
                self._warm = WarmWorker()
                self._rehearsed = set()
            return self._warm

    def launcher(self, sandboxed: bool = False, rehearse: str | None = None) -> Any:
        """The warm worker, once ready: called in a task's thread, so the time limits measure the checks only.
        `rehearse`: an exercise id the batch grades again and again; the first task of it on this worker has the
        warm worker rehearse it first (WarmWorker.rehearse), as grade-batch's own worker does before it is ready.
        Sandboxed: warm workers each in their own bubblewrap sandbox, one per Dask thread (one run each at a time),
        which rehearse when idle (the solutions are hidden inside a sandbox: a rehearsal there needs a run's staged copy)."""
        if sandboxed:
            from torchdojo.core.sandbox import SandboxPool

            with self._lock:
                if self._pool is None:
                    self._pool = SandboxPool(_threads())
                return self._pool
        warm = self._start()
        warm.wait_ready()
        if rehearse is not None and rehearse not in self._rehearsed:
            with self._rehearsing:
                if rehearse not in self._rehearsed:
                    warm.rehearse([rehearse])
                    self._rehearsed.add(rehearse)
        return warm


def _threads() -> int:
    """This Dask worker's thread count: how many submissions it grades at once."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


def worker_can_sandbox() -> bool:
    """Whether bubblewrap works on this machine (run on each worker by the client, and before each sandboxed task)."""
    from torchdojo.core.sandbox import sandbox_status

    return sandbox_status().available


_fallback = WarmPlugin()  # a worker without the plugin (registered too late, say) still grades warm


def _plugin() -> WarmPlugin:
    try:
        from distributed import get_worker

        found = get_worker().plugins.get(PLUGIN_NAME)
    except (ImportError, ValueError):
        found = None
    return found if isinstance(found, WarmPlugin) else _fallback


@functools.cache
def _catalog():  # -> torchdojo.core.catalog.Catalog
    from torchdojo.core.catalog import load_catalog

    return load_catalog()


def grade_remote(job: Submission) -> BatchRow:
    """On a Dask worker: lay the file out in a private folder and grade it exactly as a local run does."""
    if job.fingerprint != fingerprint():
        raise RuntimeError(f"this worker's torchdojo differs from the client's (catalog, checks or solutions): {fingerprint()} != {job.fingerprint}")
    relative = PurePosixPath(job.relative)
    if relative.is_absolute() or ".." in relative.parts:
        raise ValueError(f"refusing a submission path outside its folder: {job.relative}")
    exercise = _catalog().resolve(job.exercise)
    with tempfile.TemporaryDirectory(prefix="torchdojo-cluster-") as folder:
        file = Path(folder, "submission", *relative.parts)
        file.parent.mkdir(parents=True)
        file.write_bytes(job.content)
        task = Task(job.student, exercise, file, job.notebook, job.origin)
        limits = job.limits
        if job.sandbox_where_available and not limits.sandbox and worker_can_sandbox():
            # the teacher's hide list names the teacher's folders; here the file sits in a private temp folder
            limits = limits.model_copy(update={"sandbox": True, "sandbox_hide": ()})
        elif limits.sandbox:
            limits = limits.model_copy(update={"sandbox_hide": ()})
        launcher = _plugin().launcher(sandboxed=limits.sandbox, rehearse=job.exercise if job.rehearse else None) if job.warm else None
        return grade_task(task, limits, launcher)


# -- the client side ------------------------------------------------------------------------


def connect(address: str, timeout: float = DEFAULT_CONNECT_TIMEOUT) -> Client:
    """A client of the scheduler at `address` with at least one worker that grades like this machine.

    Every failure is a ClusterError within about `timeout` seconds (twice that at worst: reaching the
    scheduler, then waiting for a worker), before anything is graded or written."""
    require_dask()
    from distributed import Client

    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise ClusterError(
            t(
                f"Cannot reach the Dask scheduler at {address} within {timeout:g} s ({type(error).__name__}: {error}). "
                "Is `dask scheduler` running there, and is its port open to this machine? Nothing was graded.",
                f"在 {timeout:g} 秒内无法连接 {address} 上的 Dask 调度器({type(error).__name__}:{error})。"
                "请确认那里正在运行 `dask scheduler`,且端口对本机开放。尚未评分任何作业。",
            )
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise ClusterError(
                t(
                    f"The Dask scheduler at {address} has no workers (waited {timeout:g} s). Start some with "
                    f"`dask worker {address}` where torchdojo is installed ({INSTALL}). Nothing was graded.",
                    f"{address} 上的 Dask 调度器没有 worker(等待了 {timeout:g} 秒)。请在装有 torchdojo 的机器上运行 "
                    f"`dask worker {address}`({INSTALL})。尚未评分任何作业。",
                )
            ) from None
        _check_workers(client, address)
        client.register_plugin(WarmPlugin(), name=PLUGIN_NAME)
    except BaseException:
        client.close()
        raise
    return client


def _check_workers(client: Client, address: str) -> None:
    """Every worker must have torchdojo with this catalog, these checks and these solutions."""
    try:
        answers: dict[str, str] = client.run(fingerprint)
    except Exception as error:  # noqa: BLE001 - a worker without torchdojo cannot even unpickle the question
        raise ClusterError(
            t(
                f"The workers of {address} cannot run torchdojo ({type(error).__name__}: {error}). "
                f"Install it on every worker ({INSTALL}), the same version as here. Nothing was graded.",
                f"{address} 的 worker 无法运行 torchdojo({type(error).__name__}:{error})。"
                f"请在每个 worker 上安装与本机相同版本的 torchdojo({INSTALL})。尚未评分任何作业。",
            )
        ) from None
    ours = fingerprint()
    others = sorted(worker for worker, theirs in answers.items() if theirs != ours)
    if others:
        raise ClusterError(
            t(
                f"{len(others)} worker(s) of {address} have another torchdojo (catalog, checks or solutions differ): "
                f"{', '.join(others)}. Install the same version everywhere; their scores would differ. Nothing was graded.",
                f"{address} 的 {len(others)} 个 worker 安装了不同的 torchdojo(目录、检查或参考答案不同):"
                f"{', '.join(others)}。请在各处安装相同版本,否则分数会不同。尚未评分任何作业。",
            )
        )


def sandboxing_workers(client: Client) -> tuple[int, int]:
    """(workers where bubblewrap works, workers): what a run that leaves --sandbox unset gets on this cluster."""
    answers = client.run(worker_can_sandbox)
    return sum(bool(v) for v in answers.values()), len(answers)


def describe(client: Client) -> tuple[int, int]:
    """(workers, threads) the scheduler has now: what the teacher is told before grading."""
    try:
        info = client.scheduler_info(n_workers=-1)  # some versions list 5 workers unless asked for all
    except TypeError:  # versions before that argument list them all
        info = client.scheduler_info()
    workers = info.get("workers", {})
    return len(workers), sum(int(w.get("nthreads", 0)) for w in workers.values())


def run_cluster(
    tasks: list[Task],
    limits: Limits,
    client: Client,
    on_done: Callable[[BatchRow], None] | None = None,
    warm: bool = True,
    on_fallback: Callable[[Task, str], None] | None = None,
    sandbox_where_available: bool = False,
) -> list[BatchRow]:
    """Grade `tasks` on the cluster; rows in the order of `tasks`, exactly one per task.

    Missing and rejected submissions are not graded anywhere (no file to run): their rows are
    made here by the same `grade_task`. A task whose future fails (its workers kept dying, or
    the worker is broken) is graded here instead, and `on_fallback` says so."""
    from distributed import as_completed

    rows: dict[int, BatchRow] = {}
    waiting: dict[Future, list[int]] = {}

    def finish(index: int, row: BatchRow) -> None:
        if index in rows:  # never twice, whatever the cluster does
            return
        rows[index] = row
        if on_done:
            on_done(row)

    graded = Counter(task.exercise.id for task in tasks if task.file is not None and not task.origin.problem)
    for index, task in enumerate(tasks):
        if task.file is None or task.origin.problem:
            finish(index, grade_task(task, limits))
            continue
        try:
            job = submission(task, limits, warm, sandbox_where_available, rehearse=graded[task.exercise.id] >= 2)
        except OSError:  # unreadable here: grade it here, as a local run would
            finish(index, grade_task(task, limits))
            continue
        future = client.submit(grade_remote, job, key=job.key, pure=False, retries=RETRIES)
        waiting.setdefault(future, []).append(index)

    try:
        for future in as_completed(list(waiting), loop=client.loop):
            indexes = waiting[future]
            try:
                remote: BatchRow | None = future.result()
                reason = ""
            except Exception as error:  # noqa: BLE001 - KilledWorker, a broken worker: grade it here
                remote, reason = None, f"{type(error).__name__}: {error}"
            for index in indexes:
                task = tasks[index]
                if remote is None:
                    if on_fallback:
                        on_fallback(task, reason)
                    finish(index, grade_task(task, limits))
                else:
                    finish(index, remote.model_copy(update={"source": str(task.file)}))
            future.release()
    finally:
        for future in waiting:
            future.cancel()
    return [rows[i] for i in range(len(tasks))]
