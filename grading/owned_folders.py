"""Folders in the temp folder that say which process owns them, so that a later run removes those left behind.

A grading process makes private folders in the temp folder (a worker's course,
grading/worker_course.py; the local Dask cluster's scratch space,
course_tools/grade/cluster.py). Each holds an owner's note, written as the folder is
made: the machine, its boot, the pid namespace, the pid and the process's start
time. The owner removes its folder when it is done. A folder whose owner died
without doing so (SIGKILL, a power cut) is removed by the next run's sweep,
``remove_abandoned``, which is careful because the temp folder is shared: it
takes only folders with the exact prefix, owned by this user, that are real
folders (never a link) holding a note this code wrote, whose owner is certainly
gone. A folder whose owner may still run (the same pid started at the same time,
or a note from another machine or pid namespace, which this process cannot
check) is left alone.
"""
import json
import os
import shutil
import socket
import stat
import tempfile
from pathlib import Path

OWNER_NOTE = ".cnn-grading-owner.json"
MAX_NOTE_BYTES = 4096


def _read(path):
    try:
        with open(path) as file:
            return file.read().strip()
    except OSError:
        return ""


def process_start(pid):
    """The start time of process `pid` (clock ticks since boot), or None if it does not exist. With the pid,
    it names one process: a pid is reused, a (pid, start time) pair is not within one boot."""
    stat_line = _read(f"/proc/{pid}/stat")
    if not stat_line:
        return None
    return stat_line.rsplit(")", 1)[1].split()[19]  # field 22; the command name may hold spaces and ")"


def this_process():
    """What an owner's note says of the process that writes it."""
    return {"host": socket.gethostname(), "boot": _read("/proc/sys/kernel/random/boot_id"),
            "pid_namespace": os.readlink("/proc/self/ns/pid"), "pid": os.getpid(),
            "start": process_start(os.getpid())}


def owner_is_gone(owner):
    """Whether the process a note names certainly ended. Another machine or pid namespace cannot be
    checked from here: its folder is kept."""
    here = this_process()
    if owner.get("host") != here["host"] or owner.get("pid_namespace") != here["pid_namespace"]:
        return False
    if owner.get("boot") != here["boot"]:
        return True  # the machine restarted since: every process of that boot ended
    return process_start(owner.get("pid")) != owner.get("start")


def make(prefix):
    """A new private folder (mode 0700) in the temp folder, holding this process's owner's note."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    descriptor = os.open(folder / OWNER_NOTE, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w") as note:
        json.dump(this_process(), note)
    return folder


def remove(folder):
    """Remove an owned folder, its note last: a folder that cannot be emptied (a file in use, or one made
    meanwhile) still says whose it is, so that a later sweep can take it. Links are never followed."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        for entry in list(os.scandir(descriptor)):
            if entry.name == OWNER_NOTE:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.name, ignore_errors=True, dir_fd=descriptor)
                else:
                    os.unlink(entry.name, dir_fd=descriptor)
            except OSError:
                pass
        try:
            with open(os.open(OWNER_NOTE, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=descriptor), "rb") as file:
                note = file.read(MAX_NOTE_BYTES)
            os.unlink(OWNER_NOTE, dir_fd=descriptor)
        except OSError:
            return
        try:
            os.rmdir(folder)
        except OSError:  # not empty after all: the note goes back
            with open(os.open(OWNER_NOTE, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600,
                              dir_fd=descriptor), "wb") as file:
                file.write(note)
    finally:
        os.close(descriptor)


def read_owner(folder_descriptor):
    """The note in an open folder, or None if there is none this code wrote: a link, not a regular file,
    too large, not the JSON of an owner."""
    try:
        descriptor = os.open(OWNER_NOTE, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_descriptor)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return None
        data = file.read(MAX_NOTE_BYTES + 1)
    try:
        owner = json.loads(data) if len(data) <= MAX_NOTE_BYTES else None
    except ValueError:
        return None
    if not isinstance(owner, dict) or set(owner) != set(this_process()):
        return None
    return owner


def remove_abandoned(prefix, temp_folder=None):
    """Remove the folders `prefix`* of the temp folder whose owner is gone; the names removed."""
    temp_folder = Path(temp_folder or tempfile.gettempdir())
    removed = []
    try:
        entries = list(os.scandir(temp_folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            descriptor = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue  # a link, or gone meanwhile
        try:
            if os.fstat(descriptor).st_uid != os.geteuid():
                continue  # another user's
            owner = read_owner(descriptor)
        finally:
            os.close(descriptor)
        if owner is not None and owner_is_gone(owner):
            remove(entry.path)
            removed.append(entry.name)
    return removed
