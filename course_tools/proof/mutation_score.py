"""Mutation score of the hidden tests: mutmut's mutants of every reference solution, judged by the hidden checks.

mutmut makes the mutants (its operators, on the source of each solution cell: numbers moved by one,
operators and comparisons swapped, arguments dropped, names and keywords changed, assignments
replaced by None, ...), and two operators of ours add what mutmut leaves alone in this code: each
slice bound moved by one either way (a window one row short or long) and each simple statement
replaced by `pass` (a line forgotten). Its own runner does not fit: it mutates a package on disk and runs pytest
on trampolines, while the reference solutions are notebook cells that run in the notebook's
namespace (part 2's need the release's data and cnn_layers.py) and are judged by the hidden kit.
So each mutant becomes a wrong corpus entry, judged here by the corpus's own in-process check
of the hidden tests alone (part 1: hidden_check_rejects; part 2: the hidden blocks of the cell's
test cell, as NotebookChecks runs them), in a forked child with a time limit.

A mutant is killed when its own cell's hidden tests fail it: the cell whose points a wrong function
must lose (part 2's speed cells and training also reject many, but they are other cells' points).
A survivor is either listed in
corpus/equivalent_mutants.py with the sentence that shows it changes nothing a student could be
graded on, or it is a gap (printed as SURVIVES; the command then exits non-zero).

Run with ``python -m course_tools.proof.mutation_score`` (``make mutation-score``): both parts,
or the parts and functions named (``cnn_step_by_step``, ``cnn_application:relu_backward``).
"""
import contextlib
import difflib
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from course_tools.course import ROOT
from course_tools.proof import corpus

SECONDS = 60  # a mutant that runs longer (a loop made endless) counts as killed: the grader's cell times out
MEMORY = 4 << 30  # bytes of address space for a mutant's child, so that one huge array cannot take the machine


@dataclass(frozen=True)
class Mutant:
    assignment: str
    cell: str
    function: str  # the top-level function the edit is in
    diff: tuple  # ("- old line", "+ new line", ...): the edit, which names the mutant
    source: str  # the whole cell with the edit

    @property
    def key(self):
        return (self.function, *self.diff)


def mutmut_config():
    """mutmut reads its configuration from the working folder; give it one that names no package."""
    from mutmut import configuration

    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        Path("setup.cfg").write_text("[mutmut]\nsource_paths = reference\n")
        configuration.reset_config()
        configuration.config()


def edit(code, source):
    """The lines a mutant changes, as ("- old", "+ new", ...), stripped."""
    return tuple(line[0] + " " + line[1:].strip() for line in difflib.unified_diff(
        code.splitlines(), source.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---"))


def our_edits(function):
    """(node, mutated node) pairs of our two operators in one function: slice bounds +-1, statements to `pass`."""
    import libcst as cst

    pairs = []

    class Visitor(cst.CSTVisitor):
        def visit_Slice(self, node):
            for bound in ("lower", "upper"):
                value = getattr(node, bound)
                for operator in ((cst.Add(), cst.Subtract()) if value is not None else ()):
                    moved = cst.BinaryOperation(value, operator, cst.Integer("1"))
                    pairs.append((node, node.with_changes(**{bound: moved})))

        def visit_SimpleStatementLine(self, node):
            if not any(isinstance(s, cst.Expr) and isinstance(s.value, cst.SimpleString) for s in node.body):
                pairs.append((node, node.with_changes(body=[cst.Pass()])))

    function.visit(Visitor())
    return pairs


def mutants(assignment, reference):
    """Every mutant mutmut's operators and ours make of every function of the assignment's solution cells."""
    import libcst
    from mutmut.mutation.file_mutation import create_mutations

    mutmut_config()
    for cell, code in reference.items():
        module, mutations, *_ = create_mutations(f"{cell}.py", code)
        for mutation in mutations:
            source = module.deep_replace(mutation.original_node, mutation.mutated_node).code
            function = mutation.contained_by_top_level_function
            yield Mutant(assignment.name, cell, function.name.value if function is not None else cell,
                         edit(code, source), source)
        module = libcst.parse_module(code)
        for function in (node for node in module.body if isinstance(node, libcst.FunctionDef)):
            for node, mutated in our_edits(function):
                source = module.deep_replace(node, mutated).code
                yield Mutant(assignment.name, cell, function.name.value, edit(code, source), source)


class Judge:
    """The hidden checks of one assignment, in this process, ready for a mutant's cell."""

    def __init__(self, assignment, reference, folder):
        self.assignment, self.reference = assignment, reference
        if assignment == corpus.PART1:
            self.kit = corpus.load_kit()
        else:
            release = corpus.submissions.read(folder / f"{assignment.name}.ipynb")
            source = corpus.submissions.read(ROOT / "source" / assignment.name / f"{assignment.name}.ipynb")
            self.checks = corpus.NotebookChecks(assignment, release, source, folder)

    def failure(self, cell, source):
        """Whether the hidden tests of `cell` reject the cell's code `source`."""
        entry = corpus.Entry("mutant", "wrong", "", {cell: source})
        with corpus._quiet():
            if self.assignment == corpus.PART1:
                return corpus.hidden_check_rejects(self.kit, self.reference, entry)
            return bool(self.checks.hidden_failure(entry, cell))


def _judge_in_child(judge, mutant, pipe):
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    try:
        killed = judge.failure(mutant.cell, mutant.source)
    except BaseException:  # the check itself raising (MemoryError, a mutant's own error escaping): killed
        killed = True
    pipe.send(bool(killed))
    pipe.close()
    os._exit(0)


def judge_all(judge, all_mutants, workers=2):
    """{mutant: "killed" | "survived" | "timeout"}, each mutant in a forked child, `workers` at a time."""
    context = multiprocessing.get_context("fork")
    verdicts, running, waiting = {}, [], list(all_mutants)
    while waiting or running:
        while waiting and len(running) < workers:
            mutant = waiting.pop(0)
            ours, theirs = context.Pipe(duplex=False)
            child = context.Process(target=_judge_in_child, args=(judge, mutant, theirs))
            child.start()
            theirs.close()
            running.append((mutant, child, ours, time.monotonic()))
        for item in list(running):
            mutant, child, pipe, started = item
            if pipe.poll(0.01):
                try:
                    verdicts[mutant] = "killed" if pipe.recv() else "survived"
                except EOFError:  # the child died without an answer (killed by its memory limit)
                    verdicts[mutant] = "killed"
            elif not child.is_alive():
                verdicts[mutant] = "killed"
            elif time.monotonic() - started > SECONDS:
                child.kill()
                verdicts[mutant] = "timeout"
            else:
                continue
            child.join()
            running.remove(item)
    return verdicts


def equivalents():
    """{mutant key: why it is equivalent} from corpus/equivalent_mutants.py."""
    namespace = {}
    exec((ROOT / "corpus" / "equivalent_mutants.py").read_text(), namespace)
    return {(function, *diff): why for function, diff, why in namespace["EQUIVALENT"]}


def report(verdicts, explained, out=sys.stdout):
    """Per function: mutants, killed, equivalent, score; then every survivor. The number of unexplained survivors."""
    by_function = defaultdict(list)
    for mutant, verdict in verdicts.items():
        by_function[(mutant.assignment, mutant.function)].append((mutant, verdict))
    print(f"{'part':<18}{'function':<26}{'mutants':>8}{'killed':>8}{'equiv.':>8}{'survive':>9}{'score':>8}", file=out)
    gaps = []
    for (part, function), results in by_function.items():
        killed = sum(verdict != "survived" for _, verdict in results)
        survivors = [m for m, verdict in results if verdict == "survived"]
        equivalent = [m for m in survivors if m.key in explained]
        gaps += [m for m in survivors if m.key not in explained]
        scored = len(results) - len(equivalent)
        print(f"{part:<18}{function:<26}{len(results):>8}{killed:>8}{len(equivalent):>8}"
              f"{len(survivors) - len(equivalent):>9}{killed / scored if scored else 1:>8.3f}", file=out)
    total = len(verdicts)
    killed = sum(verdict != "survived" for verdict in verdicts.values())
    equivalent = sum(1 for m, v in verdicts.items() if v == "survived" and m.key in explained)
    print(f"\n{total} mutants: {killed} killed ({sum(v == 'timeout' for v in verdicts.values())} by the time limit), "
          f"{equivalent} shown equivalent, {len(gaps)} surviving; score {killed / max(1, total - equivalent):.3f}",
          file=out)
    for mutant in gaps:
        print(f"SURVIVES {mutant.assignment}:{mutant.function}: {' | '.join(mutant.diff)}", file=out)
    return len(gaps)


def selected(names):
    """{assignment: set of functions or None (all)} from the command line's names."""
    chosen = defaultdict(set)
    for name in names or corpus.ASSIGNMENTS:
        part, _, function = name.partition(":")
        if part not in corpus.ASSIGNMENTS:
            sys.exit(f"no assignment {part}; the assignments are {', '.join(corpus.ASSIGNMENTS)}")
        chosen[part] = None if not function or chosen.get(part, set()) is None else chosen[part] | {function}
    return chosen


def run(assignment, functions=None, workers=2):
    """The verdict on every mutant of the assignment's reference solution (or of the functions named)."""
    reference = corpus.reference_of(assignment)
    all_mutants = [m for m in mutants(assignment, reference) if functions is None or m.function in functions]
    with tempfile.TemporaryDirectory() as folder:
        release = Path(folder) / assignment.name
        shutil.copytree(ROOT / "release" / assignment.name, release)
        judge = Judge(assignment, reference, release)
        for cell in {m.cell for m in all_mutants}:  # the reference passes, and the kit's caches fill before forking
            if judge.failure(cell, reference[cell]):
                raise RuntimeError(f"the hidden tests of {cell} fail the reference solution")
        return judge_all(judge, all_mutants, workers)


def main(argv=None):
    started = time.monotonic()
    verdicts = {}
    for name, functions in selected(sys.argv[1:] if argv is None else argv).items():
        verdicts.update(run(corpus.ASSIGNMENTS[name], functions))
    gaps = report(verdicts, equivalents())
    print(f"wall time {time.monotonic() - started:.0f} s")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
