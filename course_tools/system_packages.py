"""The Debian packages a make target needs beyond Python: installed when run as root, named otherwise.

    python3 -m course_tools.system_packages demo|grade|test

Run by the Makefile before anything else (before the virtual environment exists, so this module uses
the standard library only). As root (CI, a container) it runs `apt-get install` for whatever is missing;
as an ordinary user it stops at once with the one `sudo apt-get install ...` line to run, instead of
failing later in the middle of a grading or a test run.
"""
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path


def has_program(name):
    return lambda: shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is not None


def this_python_makes_venvs():
    """The Makefile makes .venv with the python3 that runs this module."""
    try:
        import ensurepip  # noqa: F401
        import venv  # noqa: F401
    except ImportError:
        return False
    return True


def debian_python_makes_venvs():
    return subprocess.run(["/usr/bin/python3", "-c", "import ensurepip, venv"], capture_output=True).returncode == 0 \
        if Path("/usr/bin/python3").exists() else False


# package: (why, check that it is there)
PACKAGES = {
    "bubblewrap": ("the grading sandbox: every student's kernel runs inside bwrap", has_program("bwrap")),
    "python3-venv": ("Python's venv and ensurepip: the Makefile makes .venv with them",
                     this_python_makes_venvs),
    "python3 python3-venv": ("Debian's own Python, with venv: the tests' other users grade from a venv of it (the repo's venv "
                "may live under a home they cannot read)", debian_python_makes_venvs),
    "chromium": ("tests/test_browser*.py drive JupyterLab and Formgrader in it",
                 lambda: os.access("/usr/bin/chromium", os.X_OK) and Path("/usr/bin/chromium").is_file()),
    "postgresql": ("tests/test_cluster_grading.py starts a PostgreSQL server for the gradebook",
                   lambda: bool(glob.glob("/usr/lib/postgresql/*/bin/initdb"))),
    "util-linux": ("setpriv and runuser: the tests run commands as other users", has_program("setpriv")),
    "passwd": ("useradd and userdel: the exchange test makes an instructor and students", has_program("useradd")),
    "procps": ("ps: the tests check that no process of their users is left", has_program("ps")),
}
NEEDED = {
    "demo": ["bubblewrap", "python3-venv"],
    "grade": ["bubblewrap", "python3-venv"],
    "test": list(PACKAGES),
}


def missing(target):
    return [name for name in NEEDED[target] if not PACKAGES[name][1]()]


def main(argv):
    target = argv[1] if len(argv) > 1 else "test"
    if target not in NEEDED:
        print(f"usage: python3 -m course_tools.system_packages {'|'.join(NEEDED)}", file=sys.stderr)
        return 2
    absent = list(dict.fromkeys(word for name in missing(target) for word in name.split()))
    if not absent:
        return 0
    for name in missing(target):
        what = f"packages {name.replace(' ', ' and ')}" if " " in name else f"package {name}"
        print(f"make {target} needs the Debian {what}: {PACKAGES[name][0]}.", file=sys.stderr)
    if os.geteuid() != 0:
        print(f"Install {'it' if len(absent) == 1 else 'them'} with:\n\n    sudo apt-get install {' '.join(absent)}\n",
              file=sys.stderr)
        return 1
    print(f"Installing {' '.join(absent)} with apt-get (running as root) ...", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *absent]):
        if subprocess.run(command, env=env).returncode != 0:
            print(f"`{' '.join(command)}` failed; install {' '.join(absent)} by hand and try again.", file=sys.stderr)
            return 1
    still = missing(target)
    if still:
        print(f"apt-get ran, but {' '.join(still)} still looks missing.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
