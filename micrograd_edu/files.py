"""Writing files all or nothing: a failed write never leaves half a file behind, and a killed
one leaves no junk for long.

Every file micrograd_edu writes goes through `write_atomically`: the data goes to a hidden
temporary file beside the target (`.model.json.<pid>-<random>.tmp`), which is then renamed
into place in one step. A writer killed outright (SIGKILL, a power cut) cannot tidy up, so
the next write to the same target removes the temporary files of writers that are gone.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

STALE_AFTER = 3600.0  # seconds: a temporary file this old is a dead writer's, whatever its pid says
NAME_IN_TEMP = 200  # characters of the target's name a temporary file's name repeats (names are <= 255)


def write_atomically(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write `data` beside `path`, then rename it into place in one step.

    A failure halfway (a full disk, an interrupt, an error while producing the data)
    leaves the old file, or none, never a truncated one; a writer killed before it could
    tidy up leaves a temporary file that the next write to `path` removes.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder: name a file in it, e.g. {path / 'out.json'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    prefix = f".{path.name[:NAME_IN_TEMP]}.{os.getpid()}-"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a saved file is an ordinary one
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return path


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove the temporary files that killed writes to `path` left beside it; the ones removed.

    A temporary file is stale when the process named in it has ended, or when it is older than
    STALE_AFTER seconds (a pid reused since, another machine's writer on a shared folder, or a
    file from before temporary files carried a pid). A live writer's file, in this process or
    another, is left alone.
    """
    path = Path(path)
    name = re.escape(path.name[:NAME_IN_TEMP])
    ours = re.compile(rf"\.{name}\.(\d+)-[a-z0-9_]+\.tmp")
    older = re.compile(rf"\.{name}\.[a-z0-9_]{{8}}\.tmp")  # before the pid was in the name
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = ours.fullmatch(entry.name)
        if not match and not older.fullmatch(entry.name):
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
            if old or (match and not _alive(int(match.group(1)))):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except FileNotFoundError:  # its writer finished, or another sweep got there first
            continue
    return removed


def _alive(pid: int) -> bool:
    """Whether process `pid` is running (where that cannot be told, it is assumed to be)."""
    if pid == os.getpid() or os.name != "posix":
        return True
    if pid <= 0:  # no writer has it (and os.kill would signal a whole process group)
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OverflowError:  # too large to be a pid
        return False
    return True


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` last through a power cut (POSIX; elsewhere the rename is enough)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some filesystems cannot sync a folder; the rename is done all the same
        pass
    finally:
        os.close(fd)


def writable_folder(path: str | os.PathLike, name: str = "out") -> Path:
    """`path` as a folder that files can be written into (made later, by the first write), or
    a ValueError that says what is wrong with it, calling it `name` (an option, "--out").

    Checked before any work starts, so that an hour of training does not end at its first
    picture; nothing is created.
    """
    text = os.fspath(path)
    if not str(text).strip():
        raise ValueError(f"{name} is empty: name a folder to write into, e.g. {name} micrograd_edu_out")
    folder = Path(text)
    nearest = folder.absolute()
    while not nearest.exists() and nearest != nearest.parent:  # the part of the path that is there
        nearest = nearest.parent
    if not nearest.is_dir():
        what = "is a file" if nearest == folder.absolute() else f"is inside {nearest}, which is a file"
        raise ValueError(f"{name} {str(text)!r} {what}, not a folder: name a folder to write into")
    try:
        with tempfile.TemporaryFile(dir=nearest):  # the one sure test: write a file there (none stays)
            pass
    except OSError as e:
        raise ValueError(
            f"{name} {str(text)!r}: cannot write files in {nearest} ({e.strerror}): name a folder you can "
            "write to"
        ) from None
    return folder


class WrittenFiles:
    """The files one kind of writer keeps in a folder (a recording's frames), listed in a hidden
    file there, so that its next run removes what the last run wrote, and nothing else.

        frames = WrittenFiles(folder, ".micrograd_edu_frames", r"step_\\d+\\.(svg|png)")
        frames.clear()                        # the last run's frames: gone
        frames.add("step_0001.svg", ...)      # listed before they are written
    """

    def __init__(self, folder: str | os.PathLike, listing: str, pattern: str) -> None:
        self.folder, self.listing = Path(folder), Path(folder) / listing
        self.pattern = re.compile(pattern)  # only names like these are ever removed
        self.names: list[str] = []

    def clear(self) -> list[Path]:
        """Remove the files the listing names (those that still exist); the ones removed."""
        try:
            listed = self.listing.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            listed = []
        removed = []
        for name in listed:
            file = self.folder / name
            if self.pattern.fullmatch(name) and os.sep not in name and file.is_file():
                file.unlink(missing_ok=True)
                removed.append(file)
        self.names = []
        self.listing.unlink(missing_ok=True)
        return removed

    def add(self, names: Iterable[str]) -> None:
        """List more files as this writer's (call it before writing them)."""
        self.names += names
        write_atomically(self.listing, "".join(f"{name}\n" for name in self.names))
