"""No channel between two students' kernels forked from one template (issue 18, class 1).

A writer kernel stores a secret in every kernel-global object we could list, and leaves
a daemon that holds locks and sockets, keeps opening a shared read-only file and
signals every pid it can see. A reader kernel forked from the same template looks for
all of it, once while the writer still runs and once after it is gone, and must find
nothing. The writer also reads its own channels back: a probe that cannot see what its
own kernel stored would prove nothing about the reader.
"""
import ast
import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest

from grading import kernel_template
from test_kernel_template import forked_kernel, run

KEYCTL_JOIN_SESSION_KEYRING = 1
SYS_KEYCTL = 250

COMMON = r'''
import ctypes, fcntl, json, os, socket, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.shmat.restype = ctypes.c_void_p
SECRET = b"cnn-relay-secret"
SYSV_KEY = 0x0C0FFEE
RINGS = {"user": -4, "session": -3, "user-session": -5}
FILES = ["/tmp/cnn-relay", "/dev/shm/cnn-relay", os.path.expanduser("~/cnn-relay"), "/home/student/cnn-relay",
         "/cnn-relay", "/var/tmp/cnn-relay"]
SHARED = os.path.join(os.path.dirname(__import__("numpy").__file__), "__init__.pxd")
# Files no kernel of the course reads: whether each is in the page cache is one bit of a message.
PAGE_FILES = sorted(__import__("glob").glob(os.path.dirname(SHARED) + "/**/*.pyi", recursive=True))[:48]
PATTERN = "".join(bin(byte)[2:].zfill(8) for byte in SECRET)[:len(PAGE_FILES)]


def persistent_keyring():
    return libc.syscall(250, 22, ctypes.c_long(-1), ctypes.c_long(-2))  # KEYCTL_GET_PERSISTENT, into @p


def flock_struct(kind):
    return struct.pack("hh4xqqi4x", kind, 0, 0, 0, 0)
'''

WRITER = COMMON + r'''
stored = {}


def attempt(name, action):
    try:
        result = action()
        ok = result is None or result >= 0
        stored[name] = "stored" if ok else "refused: " + os.strerror(ctypes.get_errno())
    except Exception as error:
        stored[name] = f"refused: {type(error).__name__}"


def add_key(ring, name):
    return libc.syscall(248, b"user", name.encode(), SECRET, len(SECRET), ctypes.c_long(ring))


for name, ring in RINGS.items():
    attempt(f"keyring {name}", lambda: add_key(ring, f"cnn-relay-{name}"))
attempt("keyring persistent", lambda: add_key(persistent_keyring(), "cnn-relay-persistent")
        if persistent_keyring() > 0 else -1)


def shm():
    segment = libc.shmget(SYSV_KEY, 4096, 0o1666)
    if segment < 0:
        return -1
    address = libc.shmat(segment, None, 0)
    if address in (None, ctypes.c_void_p(-1).value):
        return -1
    ctypes.memmove(address, SECRET, len(SECRET))


class Message(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("text", ctypes.c_char * 32)]


def msg():
    queue = libc.msgget(SYSV_KEY, 0o1666)
    return -1 if queue < 0 else libc.msgsnd(queue, ctypes.byref(Message(1, SECRET)), len(SECRET), 0o4000)


def mq():
    queue = libc.mq_open(b"/cnn-relay", os.O_CREAT | os.O_RDWR, 0o666, None)
    return -1 if queue < 0 else libc.mq_send(queue, SECRET, len(SECRET), 0)


attempt("sysv shm", shm)
attempt("sysv sem", lambda: libc.semctl(libc.semget(SYSV_KEY, 1, 0o1666), 0, 16, 42))  # SETVAL
attempt("sysv msg", msg)
attempt("posix mq", mq)
for path in FILES:
    attempt(f"file {path}", lambda: open(path, "wb").write(SECRET))


def page_cache():
    """Evict every file, then read back those whose bit is 1: the page cache outlives this kernel."""
    for path, bit in zip(PAGE_FILES, PATTERN):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            if bit == "1":
                os.pread(fd, 4096, 0)
        finally:
            os.close(fd)


attempt("page cache", page_cache)
import numpy, json as preloaded
numpy.cnn_relay = preloaded.cnn_relay = SECRET  # the template's modules, as the kernel inherited them
stored["module state"] = "stored"
attempt("hostname", lambda: socket.sethostname("cnn-relay"))
import subprocess

# In a process of its own: the kernel has threads, and unshare(CLONE_NEWUSER) refuses a threaded process
# whatever the limits say (EINVAL), which would prove nothing.
NEW_USER_NAMESPACE = "import ctypes, sys; libc = ctypes.CDLL(None, use_errno=True); " \
                     "sys.exit(0 if libc.unshare(0x10000000) == 0 else ctypes.get_errno())"


def new_user_namespace():
    error = subprocess.run([sys.executable, "-c", NEW_USER_NAMESPACE]).returncode
    ctypes.set_errno(error)
    return -1 if error else 0


attempt("unshare user namespace", new_user_namespace)
daemon = subprocess.Popen([sys.executable, "-c", DAEMON], stdout=subprocess.PIPE, start_new_session=True)
stored.update(json.loads(daemon.stdout.readline()))
_answer = json.dumps(stored)
'''

# Left running by the writer: what only a live process can offer to a concurrent kernel.
DAEMON = COMMON + r'''
import signal
held = {}


def hold(name, lock):
    fd = os.open(SHARED, os.O_RDONLY)
    try:
        lock(fd)
        held[name] = "stored"
    except OSError as error:
        held[name] = "refused: " + error.strerror


sockets = []
for name, address in [("abstract socket", "\0cnn-relay"), ("path socket", "/tmp/cnn-relay.sock")]:
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(address)
        server.listen()
        sockets.append(server)
        held[name] = "stored"
    except OSError as error:
        held[name] = "refused: " + error.strerror
hold("flock", lambda fd: fcntl.flock(fd, fcntl.LOCK_SH))
hold("posix lock", lambda fd: fcntl.fcntl(fd, fcntl.F_SETLK, flock_struct(fcntl.F_RDLCK)))
hold("ofd lock", lambda fd: fcntl.fcntl(fd, 37, flock_struct(fcntl.F_RDLCK)))  # F_OFD_SETLK


def others():
    """Pids this daemon can name besides its own kernel's (pid 1) and itself: threads are not pidfd-able."""
    found = []
    for pid in range(2, 400):
        try:
            os.close(os.pidfd_open(pid))
            found.append(pid)
        except OSError:
            pass
    return [pid for pid in found if pid != os.getpid()]


held["signals"] = "stored" if others() else "refused: no other process in sight"
print(json.dumps(held), flush=True)
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    os.close(os.open(SHARED, os.O_RDONLY))  # what an inotify watch elsewhere would report
    for pid in others():
        os.kill(pid, signal.SIGUSR1)
    time.sleep(0.05)
'''

READER = COMMON + r'''
import signal
found = {}
signals = []
signal.signal(signal.SIGUSR1, lambda *args: signals.append(1))


def probe(name, check):
    try:
        found[name] = bool(check())
    except Exception:
        found[name] = False


def search(ring, name):
    return libc.syscall(250, 10, ctypes.c_long(ring), b"user", name.encode(), 0) > 0  # KEYCTL_SEARCH


for name, ring in RINGS.items():
    probe(f"keyring {name}", lambda: search(ring, f"cnn-relay-{name}"))
probe("keyring persistent", lambda: persistent_keyring() > 0 and search(persistent_keyring(), "cnn-relay-persistent"))
probe("sysv shm", lambda: libc.shmget(SYSV_KEY, 0, 0) >= 0)
probe("sysv sem", lambda: libc.semget(SYSV_KEY, 0, 0) >= 0)
probe("sysv msg", lambda: libc.msgget(SYSV_KEY, 0) >= 0)
probe("posix mq", lambda: libc.mq_open(b"/cnn-relay", os.O_RDONLY, 0, None) >= 0)
for path in FILES:
    probe(f"file {path}", lambda: os.path.exists(path))
import numpy, json as preloaded
probe("module state", lambda: hasattr(numpy, "cnn_relay") or hasattr(preloaded, "cnn_relay"))
probe("hostname", lambda: socket.gethostname() == "cnn-relay")


def connects(address):
    client = socket.socket(socket.AF_UNIX)
    try:
        client.connect(address)
        return True
    finally:
        client.close()


probe("abstract socket", lambda: connects("\0cnn-relay"))
probe("path socket", lambda: connects("/tmp/cnn-relay.sock"))


def conflicts(getlk):
    fd = os.open(SHARED, os.O_RDONLY)
    try:
        return struct.unpack("hh4xqqi4x", fcntl.fcntl(fd, getlk, flock_struct(fcntl.F_WRLCK)))[0] != fcntl.F_UNLCK
    finally:
        os.close(fd)


def flock_taken():
    fd = os.open(SHARED, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


probe("flock", flock_taken)
probe("posix lock", lambda: conflicts(fcntl.F_GETLK))
probe("ofd lock", lambda: conflicts(36))  # F_OFD_GETLK


def watched_opens():
    watcher = libc.inotify_init1(os.O_NONBLOCK)
    if watcher < 0 or libc.inotify_add_watch(watcher, SHARED.encode(), 0x20) < 0:  # IN_OPEN
        return False
    time.sleep(0.5)
    try:
        return len(os.read(watcher, 4096)) > 0
    except BlockingIOError:
        return False


probe("inotify", watched_opens)


def cached(path):
    """Whether the file has pages in the page cache, asked without loading any: cachestat, else RWF_NOWAIT."""
    fd = os.open(path, os.O_RDONLY)
    try:
        whole, counts = (ctypes.c_uint64 * 2)(0, 0), (ctypes.c_uint64 * 5)()
        if libc.syscall(451, fd, whole, counts, 0) == 0:
            return "1" if counts[0] else "0"
        try:
            os.preadv(fd, [bytearray(1)], 0, os.RWF_NOWAIT)
            return "1"
        except BlockingIOError:
            return "0"
    finally:
        os.close(fd)


def pattern_seen():
    """Nine bits in ten right: an odd file may keep its pages (another process maps it), chance gives half."""
    seen = "".join(cached(path) for path in PAGE_FILES)
    return sum(a == b for a, b in zip(seen, PATTERN)) >= 0.9 * len(PATTERN)


probe("page cache", pattern_seen)
probe("signals", lambda: signals)
_answer = json.dumps(found)
'''


def decoded(answer):
    return json.loads(ast.literal_eval(answer))


@pytest.fixture(scope="module")
def fresh_template():
    """Templates started here, by a process that holds a session keyring: the kernels inherit it, as they
    would from an instructor's login session."""
    import ctypes

    ctypes.CDLL(None).syscall(SYS_KEYCTL, KEYCTL_JOIN_SESSION_KEYRING, None)
    kernel_template.close_all()
    yield
    kernel_template.close_all()


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "data.txt").write_text("the student's file")
    return tmp_path


async def writer_then_readers(folder):
    async with forked_kernel(folder) as writer:
        stored = decoded(await run(writer, f"DAEMON = {json.dumps(DAEMON)}\n" + WRITER))
        own = decoded(await run(writer, READER))
        async with forked_kernel(folder) as reader:
            during = decoded(await run(reader, READER))
    async with forked_kernel(folder) as reader:
        after = decoded(await run(reader, READER))
    return stored, own, during, after


def print_table(stored, own, during, after):
    """What each channel gave, for the issue's closing note: run with -rP to see it."""
    print(f"\n{'channel':28} {'writer':36} self  during after")
    for name in sorted(set(stored) | set(during)):
        print(f"{name:28} {stored.get(name, '-'):36} {own.get(name, '-')!s:5} {during.get(name, '-')!s:6} "
              f"{after.get(name, '-')!s:5}")
    print(f"{len(during)} channels probed, {sum(during.values())} open during, {sum(after.values())} open after")


def test_no_channel_from_one_kernel_reaches_another(fresh_template, folder):
    stored, own, during, after = asyncio.run(writer_then_readers(folder))
    print_table(stored, own, during, after)
    # The probes work: whatever the writer stored and can read back is something a reader could look for.
    assert all(own[name] for name, said in stored.items() if said == "stored" and name in own and name != "signals")
    assert stored["unshare user namespace"].startswith("refused")
    assert stored["hostname"].startswith("refused")
    assert stored["file /cnn-relay"].startswith("refused")
    assert stored["file /home/student/cnn-relay"].startswith("refused")
    assert [name for name, seen in during.items() if seen] == []
    assert [name for name, seen in after.items() if seen] == []


def user_namespace(pid):
    return os.readlink(f"/proc/{pid}/ns/user")


def parent(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))


def test_each_kernel_has_a_user_namespace_of_its_own(fresh_template, folder):
    """Seen from the host: two kernels alive at once, and the template they were forked from, are in three
    different user namespaces (the keyrings, ipc and everything else hang off it)."""
    from grading.sandbox import SandboxedKernelManager

    async def two():
        managers = []
        try:
            for _ in range(2):
                km = SandboxedKernelManager(kernel_name="python3")
                km.from_template = True
                await km.start_kernel(cwd=str(folder))
                managers.append(km)
            kernels = [km.forked.pid for km in managers]
            template = parent(parent(kernels[0]))  # the kernel's parent is the child the template forked
            return [user_namespace(pid) for pid in kernels], user_namespace(template)
        finally:
            for km in managers:
                await km.shutdown_kernel(now=True)

    kernels, template = asyncio.run(two())
    assert kernels[0] != kernels[1]
    assert template not in kernels


REFUSED = r'''
import ctypes, errno, fcntl, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def errno_of(result):
    return "ok" if result >= 0 else errno.errorcode[ctypes.get_errno()]


def flock():
    try:
        fcntl.flock(os.open("/usr", os.O_RDONLY), fcntl.LOCK_SH)
        return "ok"
    except OSError as error:
        return errno.errorcode[error.errno]


_answer = {"add_key": errno_of(libc.syscall(248, b"user", b"k", b"v", 1, ctypes.c_long(-2))),
           "keyctl": errno_of(libc.syscall(250, 0, ctypes.c_long(-3), 0)),
           "request_key": errno_of(libc.syscall(249, b"user", b"k", None, 0)),
           "unshare": errno_of(libc.unshare(0)), "setns": errno_of(libc.setns(0, 0)),
           "mount": errno_of(libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)),
           "inotify": errno_of(libc.inotify_init1(0)), "flock": flock()}
'''


def test_the_kernel_is_refused_keyrings_namespaces_and_locks(fresh_template, folder):
    """The second wall, on its own: the system calls of the channels above fail before the kernel's namespaces
    are even asked."""
    refused = ast.literal_eval(asyncio.run(one_kernel(folder, REFUSED))[0])
    print(refused)
    assert refused == {"add_key": "EPERM", "keyctl": "EPERM", "request_key": "EPERM", "unshare": "EPERM",
                       "setns": "EPERM", "mount": "EPERM", "inotify": "EPERM", "flock": "EPERM"}


HIGH_BITS = r'''
import ctypes, errno, mmap, os, struct
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS_MADVISE, SYS_FCNTL, SYS_FADVISE64 = 28, 72, 221
HIGH = 1 << 32  # the kernel reads an int argument's low 32 bits: the same call to it, another value to a filter


def errno_of(result):
    return "ok" if result >= 0 else errno.errorcode[ctypes.get_errno()]


shared = os.open(os.path.dirname(os.__file__) + "/os.py", os.O_RDONLY)  # a file every kernel reads
lock = ctypes.create_string_buffer(struct.pack("hh4xqqi4x", 0, 0, 0, 0, 0))  # F_RDLCK, the whole file
memory = mmap.mmap(-1, 4096)
address = ctypes.c_void_p(ctypes.addressof(ctypes.c_char.from_buffer(memory)))
_answer = {}
for high in (0, HIGH):
    for name, command in [("F_SETLK", 6), ("F_OFD_SETLK", 37), ("F_GETLK", 5)]:
        _answer[name, high] = errno_of(libc.syscall(SYS_FCNTL, shared, ctypes.c_long(high | command), lock))
    _answer["POSIX_FADV_DONTNEED", high] = errno_of(libc.syscall(SYS_FADVISE64, shared, 0, 0, ctypes.c_long(high | 4)))
    for name, advice in [("MADV_COLD", 20), ("MADV_PAGEOUT", 21)]:
        _answer[name, high] = errno_of(libc.syscall(SYS_MADVISE, address, 4096, ctypes.c_long(high | advice)))
'''


def test_the_filter_refuses_a_call_whatever_high_bits_its_int_arguments_carry(fresh_template, folder):
    """fcntl's lock commands, fadvise's DONTNEED, madvise's COLD and PAGEOUT: each refused when its int
    argument's register also holds high bits, which the kernel ignores (they reached the locks and the page
    cache of files every kernel shares)."""
    refused = ast.literal_eval(asyncio.run(one_kernel(folder, HIGH_BITS))[0])
    print(refused)
    assert set(refused.values()) == {"EPERM"}


FAMILIES = r'''
import ctypes, errno, socket
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS_SOCKET, SYS_SOCKETPAIR = 41, 53


def outcome(make):
    try:
        make()
        return "ok"
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))


def raw(family):
    """socket() with the family as the system call gets it: the kernel reads its low 32 bits only."""
    fd = libc.syscall(SYS_SOCKET, ctypes.c_long(family), socket.SOCK_STREAM, 0)
    return "ok" if fd >= 0 else errno.errorcode[ctypes.get_errno()]


pair = (ctypes.c_int * 2)()
_answer = {"vsock": outcome(lambda: socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM).close()),
           "vsock dgram": outcome(lambda: socket.socket(socket.AF_VSOCK, socket.SOCK_DGRAM).close()),
           "vsock pair": "ok" if libc.syscall(SYS_SOCKETPAIR, 40, socket.SOCK_STREAM, 0, pair) >= 0
                         else errno.errorcode[ctypes.get_errno()],
           "vsock, high bits set": raw((1 << 32) | socket.AF_VSOCK),
           "bluetooth": outcome(lambda: socket.socket(31, socket.SOCK_STREAM, 0).close()),
           "alg": outcome(lambda: socket.socket(socket.AF_ALG, socket.SOCK_SEQPACKET).close()),
           "unix": outcome(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()),
           "unix pair": outcome(lambda: [s.close() for s in socket.socketpair()]),
           "inet": outcome(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()),
           "inet6": outcome(lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()),
           "netlink": outcome(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW).close())}
'''
REFUSED_FAMILIES = {"vsock": "EPERM", "vsock dgram": "EPERM", "vsock pair": "EPERM", "vsock, high bits set": "EPERM",
                    "bluetooth": "EPERM", "alg": "EPERM", "unix": "ok", "unix pair": "ok", "inet": "ok", "inet6": "ok",
                    "netlink": "ok"}


@pytest.mark.parametrize("from_template", [True, False], ids=["forked", "booted"])
def test_sockets_only_of_the_families_the_network_namespace_confines(fresh_template, folder, from_template):
    """AF_VSOCK reaches the virtual machine's host whatever the network namespace (and another kernel where
    vsock_loopback is loaded); the filter lets a kernel make sockets of unix, inet, inet6 and netlink only,
    which its own namespaces confine, whatever high bits the family's register holds."""
    made = ast.literal_eval(answer_of_a_kernel(folder, FAMILIES, from_template=from_template))
    print(made)
    assert made == REFUSED_FAMILIES


LIBRARIES = r'''
import h5py, matplotlib.pyplot as plt, numpy as np, threading, subprocess
with h5py.File("test_digits.h5", "r") as file:
    images = {name: np.array(file[name]).shape for name in file}
plt.plot([1, 2, 3])
plt.savefig("/tmp/plot.png")
worker = threading.Thread(target=lambda: None)
worker.start()
worker.join()
child = os.fork()
if child == 0:
    os._exit(7)
_answer = (bool(images), float(np.ones((64, 64)) @ np.ones(64) @ np.ones(64)),
           subprocess.run(["true"]).returncode, os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]))
'''


async def one_kernel(folder, *codes):
    async with forked_kernel(folder) as kc:
        return [await run(kc, code) for code in codes]


def test_the_libraries_of_the_course_work_under_the_filter(fresh_template, folder):
    """HDF5 (part 2's data), matplotlib, numpy, threads and subprocesses: what the filter must not break."""
    shutil.copy(Path(__file__).parent.parent / "source/cnn_application/datasets/test_digits.h5", folder)
    answer = asyncio.run(one_kernel(folder, "import os\n" + LIBRARIES))[0]
    assert answer == "(True, 4096.0, 0, 7)"


BOOTED_READS_SESSION_KEY = r'''
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
_answer = libc.syscall(250, 10, ctypes.c_long(-3), b"user", b"cnn-grader-session-key", 0) > 0  # KEYCTL_SEARCH
'''


def answer_of_a_kernel(folder, code, **settings):
    """What `code` prints in a kernel started by a SandboxedKernelManager with `settings`."""
    from grading.sandbox import SandboxedKernelManager

    async def started():
        km = SandboxedKernelManager(kernel_name="python3", **settings)
        await km.start_kernel(cwd=str(folder))
        kc = km.client()
        kc.start_channels(hb=False, stdin=False)
        try:
            await kc.wait_for_ready(timeout=60)
            return await run(kc, code)
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    return asyncio.run(started())


def reads_the_graders_session_key(folder, **settings):
    """Whether a kernel started by a SandboxedKernelManager with `settings` finds a key the grader put in its
    own session keyring."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    key = libc.syscall(248, b"user", b"cnn-grader-session-key", b"x", 1, ctypes.c_long(-3))  # add_key
    assert key > 0
    try:
        return answer_of_a_kernel(folder, BOOTED_READS_SESSION_KEY, **settings) != "False"
    finally:
        libc.syscall(250, 9, ctypes.c_long(key), ctypes.c_long(-3))  # KEYCTL_UNLINK


def test_the_default_kernel_cannot_reach_the_graders_session_keyring(fresh_template, folder):
    """What plain `nbgrader autograde` and Formgrader start, with nbgrader_config.py's settings: a kernel forked
    from the template (from_template is on by default)."""
    assert not reads_the_graders_session_key(folder)


def test_a_booted_kernel_cannot_reach_the_graders_session_keyring(fresh_template, folder):
    """A kernel booted on purpose (from_template off) joins an empty session keyring and loads the forked
    kernels' seccomp filter before ipykernel starts (template_inside.boot)."""
    assert not reads_the_graders_session_key(folder, from_template=False)


def test_a_booted_kernel_runs_under_the_seccomp_filter(fresh_template, folder):
    code = ("import ctypes, fcntl\n"
            "libc = ctypes.CDLL(None, use_errno=True); libc.syscall.restype = ctypes.c_long\n"
            "added = libc.syscall(248, b'user', b'k', b'x', 1, ctypes.c_long(-3)) > 0  # add_key\n"
            "try:\n    fcntl.flock(open('/tmp/lock', 'w'), fcntl.LOCK_EX); locked = True\n"
            "except OSError:\n    locked = False\n"
            "mode = [l.split()[1] for l in open('/proc/self/status') if l.startswith('Seccomp:')]\n"
            "_answer = (added, locked, mode)")
    assert answer_of_a_kernel(folder, code, from_template=False) == "(False, False, ['2'])"
