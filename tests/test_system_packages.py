"""`make demo` and `make test` on a machine without the Debian packages they need.

A machine that lacks them is made for each test in a private mount namespace (`unshare --mount`, as root):
bwrap and chromium are hidden behind /dev/null (not executable) and PostgreSQL's programs behind an empty
folder. Inside it, course_tools/system_packages.py runs as an ordinary user (nobody), who must get the one
`sudo apt-get install` line, and as root, who must get apt-get run for them (a stand-in apt-get on PATH
records what it was asked, so that the test installs nothing).
"""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                                reason="needs root and unshare, to hide packages in a private mount namespace")

HIDE = ("mount --bind /dev/null /usr/bin/bwrap && mount --bind /dev/null /usr/bin/chromium && "
        "mount -t tmpfs none /usr/lib/postgresql && ")
NOBODY = "setpriv --reuid=65534 --regid=65534 --clear-groups "


def on_a_bare_machine(command, path="/usr/bin:/bin"):
    """Run `command` (a shell line) in the repo, where bubblewrap, Chromium and PostgreSQL look uninstalled."""
    for needed in ("/usr/bin/bwrap", "/usr/bin/chromium", "/usr/lib/postgresql"):
        assert os.path.exists(needed), f"{needed} is missing on this machine: the test hides it, so needs it"
    env = {"PATH": path, "LANG": "C.UTF-8", "HOME": "/tmp"}
    return subprocess.run(["unshare", "--mount", "sh", "-c", f"{HIDE} cd {REPO} && {command}"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_an_ordinary_user_gets_the_one_line_to_run():
    done = on_a_bare_machine(NOBODY + "python3 -m course_tools.system_packages test")
    assert done.returncode == 1, done.stderr
    assert "\n    sudo apt-get install bubblewrap chromium postgresql\n" in done.stderr, done.stderr
    assert "the grading sandbox" in done.stderr  # each package says why it is needed


def test_make_demo_needs_only_bubblewrap():
    done = on_a_bare_machine(NOBODY + "python3 -m course_tools.system_packages demo")
    assert done.returncode == 1
    assert "sudo apt-get install bubblewrap\n" in done.stderr and "chromium" not in done.stderr, done.stderr


def test_make_stops_before_making_the_environment():
    """`make test` runs the check first: as an ordinary user without the packages it stops there, with the line."""
    folder = Path(tempfile.mkdtemp(prefix="cnn-bare-machine-"))  # outside pytest's folders, which nobody cannot enter
    try:
        for name in ("Makefile", "requirements.txt", "requirements-dev.txt"):
            shutil.copy(REPO / name, folder / name)
        shutil.copytree(REPO / "course_tools", folder / "course_tools", ignore=shutil.ignore_patterns("__pycache__"))
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, 65534, 65534)
        done = subprocess.run(["unshare", "--mount", "sh", "-c", f"{HIDE} cd {folder} && {NOBODY} make test"],
                              env={"PATH": "/usr/bin:/bin", "HOME": str(folder), "LANG": "C.UTF-8"},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode != 0
        assert "sudo apt-get install bubblewrap chromium postgresql" in done.stderr, done.stderr
        assert not (folder / ".venv").exists()  # nothing was built before the check
    finally:
        shutil.rmtree(folder)


def test_root_gets_the_packages_installed(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt-get.log"
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    (bin_dir / "apt-get").chmod(0o755)
    done = on_a_bare_machine("python3 -m course_tools.system_packages test", path=f"{bin_dir}:/usr/bin:/bin")
    assert log.read_text().splitlines() == ["update -qq", "install -y -qq bubblewrap chromium postgresql"]
    # The stand-in installed nothing, so the check after apt-get still finds them missing, and says so.
    assert done.returncode == 1 and "still looks missing" in done.stderr, done.stderr


def test_this_machine_has_everything_make_test_needs():
    done = subprocess.run(["python3", "-m", "course_tools.system_packages", "test"], cwd=REPO,
                          capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
