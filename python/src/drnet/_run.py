"""Finding and running the ``drnet`` executable; its errors as Python exceptions."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from typing import IO, List, Optional, Sequence, Union

PathLike = Union[str, "os.PathLike[str]"]

#: drnet's exit statuses (README, "Errors and exit status").
EXIT_STATUS = {
    0: "success",
    1: "a checked rule is violated",
    2: "bad input",
    3: "device failure",
    4: "no usable result",
    64: "usage error",
    130: "interrupted",
}

_HINT = (
    "set the DRNET_BIN environment variable to the drnet executable, or put drnet on PATH "
    "(build it with `swift build -c release` in the drnet repository: .build/release/drnet)"
)


class DrnetNotFoundError(FileNotFoundError):
    """The ``drnet`` executable could not be found (neither ``DRNET_BIN`` nor ``drnet`` on PATH)."""


class DrnetError(RuntimeError):
    """``drnet`` exited with a failure status.

    Attributes:
        status: drnet's exit status (2 bad input, 3 device failure, 4 no usable result,
            64 usage error, 130 interrupted; see :data:`EXIT_STATUS`). A negative value
            ``-N`` means drnet was killed by signal N.
        command: the command line that was run (a list of strings, the executable first).
        message: drnet's ``error: …`` message (without the ``error:`` prefix); when drnet
            printed none, the last line of its stderr or a generic text.
        stderr: everything drnet wrote to stderr (progress lines included).
        stdout: everything drnet wrote to stdout.
    """

    def __init__(self, status: int, command: Sequence[str], message: str, stderr: str = "", stdout: str = ""):
        self.status = status
        self.command = list(command)
        self.message = message
        self.stderr = stderr
        self.stdout = stdout
        super().__init__(status, self.command, message)

    @property
    def meaning(self) -> str:
        """What the exit status means (``"bad input"``, ``"device failure"``, …)."""
        if self.status < 0:
            try:
                return "killed by " + signal.Signals(-self.status).name
            except ValueError:
                return "killed by signal %d" % -self.status
        return EXIT_STATUS.get(self.status, "failure")

    @property
    def subcommand(self) -> str:
        return self.command[1] if len(self.command) > 1 else ""

    def __str__(self) -> str:
        return "drnet %s failed with exit status %d (%s): %s" % (self.subcommand, self.status, self.meaning, self.message)

    def __reduce__(self):
        return (type(self), (self.status, self.command, self.message, self.stderr, self.stdout))


def find_executable(executable: Optional[PathLike] = None) -> str:
    """The path of the ``drnet`` executable.

    Looked up in this order: ``executable`` (a path or a command name), the ``DRNET_BIN``
    environment variable (likewise), then ``drnet`` on ``PATH``.

    Raises:
        DrnetNotFoundError: when none of them names an executable file.
    """
    for origin, candidate in (("executable", executable), ("DRNET_BIN", os.environ.get("DRNET_BIN"))):
        if candidate is None or str(candidate) == "":
            continue
        text = os.path.expanduser(os.fspath(candidate))
        if os.path.isfile(text) and os.access(text, os.X_OK):
            return os.path.abspath(text)
        found = shutil.which(text) if os.sep not in text else None
        if found:
            return found
        what = "is not an executable file" if os.path.exists(text) else "does not exist"
        raise DrnetNotFoundError("%s=%r %s; %s" % (origin, text, what, _HINT))
    found = shutil.which("drnet")
    if found:
        return found
    raise DrnetNotFoundError("the drnet executable was not found: DRNET_BIN is not set and there is no drnet on PATH; " + _HINT)


def _message(stderr: str, status: int) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    # drnet's own errors are `error: …`; the argument parser's usage errors (status 64) are
    # `Error: …` followed by the usage text.
    errors = [line[len("error:"):].strip() for line in lines if line.lower().startswith("error:")]
    if errors:
        return "; ".join(errors)
    if lines:
        return lines[-1]
    if status < 0:
        return "drnet was killed by signal %d" % -status
    return "drnet exited with status %d and no message" % status


def _pump(source: IO[bytes], sink: Optional[IO[str]], chunks: List[bytes]) -> None:
    """Copies ``source`` into ``chunks`` (and to ``sink`` as it arrives) until EOF."""
    while True:
        data = source.read1(65536) if hasattr(source, "read1") else source.read(65536)
        if not data:
            break
        chunks.append(data)
        if sink is not None:
            try:
                sink.write(data.decode("utf-8", "replace"))
                sink.flush()
            except Exception:  # a closed or odd sink must not stop the pump
                pass


def run(
    args: Sequence[PathLike],
    *,
    executable: Optional[PathLike] = None,
    ok: Sequence[int] = (0,),
    echo_stderr: bool = False,
    cwd: Optional[PathLike] = None,
) -> subprocess.CompletedProcess:
    """Runs ``drnet <args…>`` and returns the finished process (text ``stdout``/``stderr``).

    Args:
        args: the arguments after the executable (``["check", "sol", "--json"]``).
        executable: the drnet executable (default: :func:`find_executable`).
        ok: exit statuses that are results, not errors (``check`` passes ``(0, 1)``).
        echo_stderr: also copy drnet's stderr (progress lines) to ``sys.stderr`` as it comes.
        cwd: working directory for drnet.

    Raises:
        DrnetError: when drnet exits with a status not in ``ok``.
        DrnetNotFoundError: when there is no executable.
        KeyboardInterrupt: on Ctrl-C, after drnet (which receives SIGINT too, and is sent one
            if it did not) has finished writing what it writes on an interrupt.
    """
    exe = find_executable(executable)
    command = [exe] + [os.fspath(a) for a in args]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
    )
    out_chunks: List[bytes] = []
    err_chunks: List[bytes] = []
    pumps = [
        threading.Thread(target=_pump, args=(process.stdout, None, out_chunks), daemon=True),
        threading.Thread(target=_pump, args=(process.stderr, sys.stderr if echo_stderr else None, err_chunks), daemon=True),
    ]
    for t in pumps:
        t.start()
    try:
        status = process.wait()
    except KeyboardInterrupt:
        # Let drnet stop at its next step and write its checkpoint and partial solution.
        try:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
            process.wait(timeout=120)
        except BaseException:
            process.kill()
            process.wait()
        raise
    finally:
        for t in pumps:
            t.join()
        process.stdout.close()
        process.stderr.close()
    stdout = b"".join(out_chunks).decode("utf-8", "replace")
    stderr = b"".join(err_chunks).decode("utf-8", "replace")
    if status not in ok:
        raise DrnetError(status, command, _message(stderr, status), stderr, stdout)
    return subprocess.CompletedProcess(command, status, stdout, stderr)

