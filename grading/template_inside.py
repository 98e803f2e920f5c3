"""The kernel template: runs inside a bubblewrap sandbox and forks one fresh sandboxed kernel per notebook.

Started by grading/kernel_template.py as ``python -c <this file's text>``. It imports
what every kernel needs (ipykernel, numpy, matplotlib: about 0.7 s of CPU), then
waits for requests on stdin, one JSON line each. For each request it forks a child
that gives itself new mount, pid, ipc, network and uts namespaces; the child's own
child (pid 1 of the new pid namespace) mounts a fresh /tmp and
/dev/shm of limited size and the notebook's folder (read-only), hides every other
folder the template was given, drops every capability and sets the resource limits,
and only then becomes the kernel. Nothing of one notebook's kernel is visible to the
next one: different namespaces, fresh file systems, and the template, which holds
no student's data, can be neither seen nor signalled from a kernel.

This file must not import the grading package: the sandbox shows it nothing but
the Python installation.
"""
import ctypes
import json
import os
import resource
import signal
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 24, 28, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECURE_ALL_BITS_LOCKED = 0x2F  # noroot, no_setuid_fixup, keep_caps off, each locked
LINUX_CAPABILITY_VERSION_3 = 0x20080522
EXCHANGE = "/submissions"  # the template's view of the folders the grader fills, one per notebook
HOME = "/home/student"

libc = ctypes.CDLL(None, use_errno=True)


def check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def mount(source, target, fstype, flags, data=None):
    check(libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(),
                     ctypes.c_ulong(flags), data and data.encode()), f"mount {target}")


def drop_capabilities(last):
    check(libc.prctl(PR_SET_SECUREBITS, SECURE_ALL_BITS_LOCKED, 0, 0, 0), "securebits")
    for cap in range(last + 1):
        check(libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), f"drop capability {cap}")
    check(libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "ambient capabilities")

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    check(libc.capset(ctypes.byref(Header(LINUX_CAPABILITY_VERSION_3, 0)), (Data * 2)()), "capset")
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def become_kernel(request):
    """In pid 1 of the new namespaces: set up this kernel's own file systems and limits, then run it."""
    limits = request["limits"]
    last_capability = int(open("/proc/sys/kernel/cap_last_cap").read())
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # A Python installed under /tmp (a venv made there) would vanish under the fresh /tmp: hold it
    # open, then bind it back, read-only, into the new /tmp.
    keep = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in request["keep_under_tmp"]]
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits['tmp']},mode=1777")
    for path, fd in keep:
        os.makedirs(path)
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        os.close(fd)
    mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits['shm']},mode=1777")
    folder = os.path.join(EXCHANGE, request["folder"])
    mount(folder, HOME, None, MS_BIND | MS_REC)
    mount(None, HOME, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    mount("tmpfs", EXCHANGE, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k")  # the other folders
    # No /proc at all: a new one cannot be mounted under bubblewrap's --disable-userns, and the template's
    # would show the template's processes. Python, numpy and ipykernel do without it.
    mount("tmpfs", "/proc", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k")
    os.makedirs("/tmp/.kernel", mode=0o700)
    connection = "/tmp/.kernel/kernel.json"
    with open(os.open(connection, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
        json.dump(request["connection"], handle)
    drop_capabilities(last_capability)
    for name, value in [(resource.RLIMIT_AS, limits["memory"]), (resource.RLIMIT_FSIZE, limits["file_size"]),
                        (resource.RLIMIT_CPU, limits["cpu_seconds"]), (resource.RLIMIT_CORE, 0)]:
        resource.setrlimit(name, (value, value))
    if limits.get("processes"):
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
    os.chdir(HOME)
    os.environ.clear()
    os.environ.update(request["environment"])
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(["-f", connection, *request["arguments"]])
    app.start()


def spawn(request):
    """Fork the kernel for one request; the pid of its pid 1, as this namespace sees it."""
    ready, report = os.pipe()
    middle = os.fork()
    if middle == 0:  # the child: new namespaces, then the kernel as their pid 1
        try:
            os.close(ready)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            check(libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS),
                  "unshare")
            kernel = os.fork()
            if kernel == 0:
                # Its own session and process group: kill(0, ...) must not reach the template's group.
                os.setsid()
                os.close(report)
                os.closerange(0, 3)
                null = os.open("/dev/null", os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.closerange(3, 65536)  # nothing of the template's reaches the kernel
                try:
                    become_kernel(request)
                finally:
                    os._exit(1)
            os.write(report, f"{kernel}\n".encode())
            os.close(report)
            os.closerange(0, 65536)
            os.waitpid(kernel, 0)
        finally:
            os._exit(0)
    os.close(report)
    with os.fdopen(ready) as answer:
        line = answer.readline().strip()
    if not line:
        raise OSError("the kernel's namespaces could not be made")
    return int(line)


def main():
    for module in json.loads(sys.argv[1]):
        __import__(module)
    if len(os.listdir("/proc/self/task")) != 1:  # a fork copies only the calling thread
        raise SystemExit("a preloaded module started a thread; the template cannot fork safely")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the forked children are reaped by the system
    print("ready", flush=True)
    for line in sys.stdin:
        try:
            print(f"kernel {spawn(json.loads(line))}", flush=True)
        except Exception as error:  # said to the grader, which then fails this notebook's start
            print(f"error {type(error).__name__}: {error}".replace("\n", " "), flush=True)


main()
