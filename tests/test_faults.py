"""Faults: a save killed at any moment, Ctrl-C in the middle of training or a lesson, files that
are not what they seem, numbers that blew up, labels full of control characters. Each leaves
the old file or the new one and no junk, stops with one clear line, or draws what is there.

Linux (POSIX signals, /dev/urandom, /proc); elsewhere these tests are skipped.
"""

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import micrograd_edu as torch
from micrograd_edu import files

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals, /dev and /proc as Linux has them")

N = 20_000  # numbers in the checkpoint the killed writer saves: ~400 kB of JSON, a few ms to write


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def checkpoint(version: int) -> dict:
    return {"version": version, "w": torch.full((N,), float(version))}


def assert_whole(path: Path) -> int:
    """The file is one complete version: every number in it is its version number."""
    state = torch.load(path)
    assert set(state["w"].tolist()) == {float(state["version"])}
    return state["version"]


def child(script: str, *args: str) -> subprocess.Popen:
    """A Python process running `script`, which prints "ready" when it starts its work."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout.readline() == "ready\n", process.stderr.read()
    return process


SAVE_FOREVER = f"""
import sys
import micrograd_edu as torch
path, version = sys.argv[1], int(sys.argv[2])
print("ready", flush=True)
while True:
    version += 1
    torch.save({{"version": version, "w": torch.full(({N},), float(version))}}, path)
"""


def test_a_save_killed_at_random_moments_leaves_a_whole_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "checkpoint.json"
    torch.save(checkpoint(0), path)
    draw = random.Random(0)
    version, left_behind = 0, 0
    for _ in range(20):
        writer = child(SAVE_FOREVER, str(path), str(version))
        time.sleep(draw.uniform(0.0, 0.08))
        writer.kill()  # SIGKILL: no handler, no finally, nothing tidies up
        writer.wait()
        writer.stdout.close()
        writer.stderr.close()
        found = assert_whole(path)  # the old version or a newer one, complete
        assert found >= version
        version = found
        left_behind += bool(temporaries(tmp_path))
        version += 1
        torch.save(checkpoint(version), path)  # the next save sweeps what the killed one left
        assert temporaries(tmp_path) == []
    assert assert_whole(path) == version


KILLED_WHILE_WRITING = """
import os, sys, time
import micrograd_edu as torch
def stuck(fd):
    print("ready", flush=True)
    time.sleep(60)
os.fsync = stuck  # the data is in the temporary file, not yet renamed into place
torch.save({"version": 2, "w": torch.full((10,), 2.0)}, sys.argv[1])
"""


def test_the_next_save_removes_what_a_killed_save_left_and_nothing_else(tmp_path):
    path = tmp_path / "model.json"
    torch.save({"version": 1, "w": torch.full((10,), 1.0)}, path)
    writer = child(KILLED_WHILE_WRITING, str(path))
    writer.kill()
    writer.wait()
    writer.stdout.close()
    writer.stderr.close()
    [left] = temporaries(tmp_path)
    assert left.startswith(f".model.json.{writer.pid}-")
    assert assert_whole(path) == 1  # the old file, untouched
    old_style = tmp_path / ".model.json.abcd1234.tmp"  # from before the pid was in the name
    old_style.write_text("{")
    os.utime(old_style, (time.time() - 2 * files.STALE_AFTER,) * 2)
    fresh_old_style = tmp_path / ".model.json.wxyz5678.tmp"  # maybe an older writer, still at work
    fresh_old_style.write_text("{")
    alive = tmp_path / f".model.json.{os.getpid()}-zzzzzzzz.tmp"  # another thread's, at work now
    alive.write_text("{")
    other = tmp_path / f".other.json.{writer.pid}-qqqqqqqq.tmp"  # another file's: not this save's
    other.write_text("{")
    torch.save({"version": 3, "w": torch.full((10,), 3.0)}, path)
    assert temporaries(tmp_path) == sorted([alive.name, other.name, fresh_old_style.name])
    assert assert_whole(path) == 3


def test_threads_saving_and_loading_one_file_see_only_whole_files(tmp_path):
    path = tmp_path / "shared.json"
    torch.save(checkpoint(0), path)
    errors: list[BaseException] = []

    def save(first: int) -> None:
        try:
            for version in range(first, first + 5):
                torch.save(checkpoint(version), path)
                assert_whole(path)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=save, args=(100 * k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert assert_whole(path) % 100 == 4  # some thread's last save
    assert temporaries(tmp_path) == []


def test_a_save_into_a_folder_says_so(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder: name a file in it"):
        torch.save({"w": torch.ones(1)}, tmp_path)
    assert list(tmp_path.iterdir()) == []
