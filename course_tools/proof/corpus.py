"""Prove the hidden tests: autograde a corpus of wrong and right solutions with nbgrader.

Each assignment has its corpus: part 1's in corpus/, part 2's in corpus/cnn_application/.
Entries are whole functions in <corpus>/wrong/*.py and <corpus>/right/*.py (named
CELL__WHAT.py, CELL being the solution cell's id, which is the function's name when the cell
holds one function; docstring = what the entry does), and one-edit mutations of the reference
solution in <corpus>/mutations.py. Each entry becomes a submission (right entries share them:
notebooks()): the release with every solution cell filled in from the reference solution, except
the ones the entry replaces. A
file that defines some of a cell's functions only gets the reference's version of the others.

A wrong entry must lose points on the test cell of each solution cell it replaces; a right
entry must keep full credit everywhere (right entries of different cells share a notebook, as a
student's answers to every cell do: see notebooks()); no entry may cost points on a test cell it does not
replace (collateral). Part 2 has test cells that run a solution cell besides its own test
(Assignment.dependents): the speed cells time the fast convolutions, and the training runs
the student's model with the student's own layers. A wrong entry MAY lose those dependent
cells of the cells it replaces and no other; a right entry must keep them. Part 2's corpus
also has slow entries (<corpus>/slow/*.py): right results, too slow for the speed points;
each must lose its speed cell, keep its own test cell, and cost nothing else but its
dependents. Exits non-zero on any miss.

Run with ``python -m course_tools.proof.corpus`` (``make corpus``): every assignment's corpus, one
after the other; ``python -m course_tools.proof.corpus cnn_application`` runs one.
"""
import ast
import contextlib
import importlib.util
import io
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from course_tools import notebooks as submissions
from course_tools.course import ROOT, Course
from course_tools.proof.sample_course import course_copy
from grading.text import first_line

CORPUS = ROOT / "corpus"


@dataclass(frozen=True)
class Assignment:
    """An assignment's corpus: where it lives, and which test cells run a solution cell besides its own."""
    name: str
    corpus: Path
    # {solution cell: test cells (without "test_") that also run it}: a wrong entry may lose them, a right one may not
    dependents: dict = field(default_factory=dict)
    # {solution cell: its speed cell (without "test_")}: what a slow entry must lose
    speed: dict = field(default_factory=dict)
    kits: tuple = ("grading_kit.py",)  # authoring/ files of the hidden kit, in the order the notebook runs them

    @property
    def kinds(self):
        """The corpus's folders of whole-function entries, in the order they are graded and reported."""
        return ("wrong", "slow", "right") if self.speed else ("wrong", "right")

    def dependents_of(self, entry):
        """The test cells (without "test_") the entry's cells feed besides their own, in a fixed order."""
        cells = []
        for cell in entry.answers:
            cells += [d for d in self.dependents.get(cell, ()) if d not in cells and d not in entry.answers]
        return cells


PART1 = Assignment("cnn_step_by_step", CORPUS)
# Part 2. The speed cells time the student's fast convolutions. The training cell (test_training) uses
# every function the student wrote, by design: its hidden check trains with the student's
# model_forward_backward, which calls the student's own layers, and its visible check asks for 90% from
# the notebook's own training run, which also one-hot encodes the labels with the student's one_hot and
# steps with the student's update_parameters. No other test cell uses another cell's function: each
# function's own test, the model's included (isolate), gets the reference versions of the others.
PART2 = Assignment(
    "cnn_application", CORPUS / "cnn_application",
    dependents={"one_hot": ("training",),
                "conv_forward_fast": ("conv_forward_fast_speed", "training"),
                "conv_backward_fast": ("conv_backward_fast_speed", "training"),
                "relu": ("training",), "fc": ("training",), "softmax_cross_entropy": ("training",),
                "update_parameters": ("training",), "model_forward_backward": ("training",)},
    speed={"conv_forward_fast": "conv_forward_fast_speed", "conv_backward_fast": "conv_backward_fast_speed"},
    kits=("grading_kit.py", "application_kit.py"))
ASSIGNMENTS = {a.name: a for a in (PART1, PART2)}


@dataclass
class Entry:
    name: str
    kind: str  # "wrong", "right" or "slow" (right results, too slow for the speed points)
    description: str
    answers: dict  # grade_id -> solution cell source

    @property
    def student(self):
        return f"{self.kind}-{self.name}"


def notebooks(entries):
    """The entries as submitted notebooks, each a list, in the corpus's order (of each list's first entry).

    A wrong or slow entry has a notebook of its own, so that what it costs is its own; so has the reference.
    The right entries of one solution cell each share notebooks with right entries of other cells, one entry
    to a cell in each (first fit: as many notebooks as the cell with the most right entries has): every cell
    of such a notebook must keep full credit, which is what each of them alone must, and a right answer to
    a cell is graded beside right answers to the others, as in a student's notebook. The grader's costly
    cells (the speed cells, part 2's training) run once for several right entries instead of once for each.
    """
    alone, shared = [], []
    for position, entry in enumerate(entries):
        if entry.kind != "right" or len(entry.answers) != 1:
            alone.append((position, [entry]))
            continue
        cell = next(iter(entry.answers))
        for _, notebook in shared:
            if all(cell not in other.answers for other in notebook):
                notebook.append(entry)
                break
        else:
            shared.append((position, [entry]))
    return [notebook for _, notebook in sorted(alone + shared, key=lambda item: item[0])]


def student_of(notebook, number):
    """The student id a notebook of notebooks() is submitted under: its entry's, or right-together-<number>."""
    return notebook[0].student if len(notebook) == 1 else f"right-together-{number}"


@dataclass
class Outcome:
    entry: Entry
    scores: dict
    maxima: dict
    messages: dict = field(default_factory=dict)
    hidden_rejects: bool = None  # wrong entries: does the hidden check alone reject it?
    visible_message: str = ""  # what the visible checks a student runs say of it ("" if they pass it)
    assignment: Assignment = PART1
    student: str = ""  # the notebook it was graded in (notebooks()): its own, or one it shares
    partners: tuple = ()  # the cells the right entries sharing its notebook answer for: theirs, and their dependents

    def full(self, function):
        return self.scores[f"test_{function}"] == self.maxima[f"test_{function}"]

    @property
    def must_lose(self):
        """The test cells (without "test_") the entry must lose points on."""
        if self.entry.kind == "wrong":
            return list(self.entry.answers)
        if self.entry.kind == "slow":
            return [self.assignment.speed[cell] for cell in self.entry.answers]
        return []

    @property
    def may_lose(self):
        """The test cells the entry may lose or not: a wrong or slow entry's dependents."""
        if self.entry.kind == "right":
            return []
        return [cell for cell in self.assignment.dependents_of(self.entry) if cell not in self.must_lose]

    @property
    def must_keep(self):
        """The cells of the entry that must keep full credit: a right entry's cells and their dependents, a
        slow entry's own cells."""
        if self.entry.kind == "right":
            return list(self.entry.answers) + self.assignment.dependents_of(self.entry)
        return list(self.entry.answers) if self.entry.kind == "slow" else []

    @property
    def verdict_met(self):
        if self.entry.kind == "wrong":
            return not any(self.full(function) for function in self.entry.answers)
        return not any(self.full(cell) for cell in self.must_lose) and all(self.full(cell) for cell in self.must_keep)

    @property
    def collateral(self):
        """The test cells it lost that are no one's: neither its own (or its dependents) nor those of the right
        entries it shares a notebook with (each of which answers for its own)."""
        own = (set(self.entry.answers) | set(self.must_lose) | set(self.may_lose) | set(self.must_keep)
               | set(self.partners))
        return [function for function in graded_functions(self.maxima)
                if function not in own and not self.full(function)]


def graded_functions(maxima):
    return [name[len("test_"):] for name in maxima if name.startswith("test_")]


def cell_functions(reference):
    """{solution cell: the names of the functions it defines, in order}."""
    return {cell: [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]
            for cell, source in reference.items()}


def split_functions(source, graded, reference=None):
    """{solution cell: its source, the file's imports and helpers then the cell's functions}, for each cell
    of `graded` ({cell: the functions it defines}, or a list of cells each defining the function it names)
    the file defines a function of. A cell's function the file does not define is the reference's."""
    graded = graded if isinstance(graded, dict) else {name: [name] for name in graded}
    tree = ast.parse(source)
    body = tree.body[1:] if ast.get_docstring(tree) else tree.body
    defined = {node.name: node for node in body if isinstance(node, ast.FunctionDef)}
    wanted = [node for name, node in defined.items() if any(name in functions for functions in graded.values())]
    preamble = [ast.get_source_segment(source, node) for node in body if node not in wanted]
    answers = {}
    for cell, functions in graded.items():
        if not any(name in defined for name in functions):
            continue
        parts = []
        for name in functions:
            if name in defined:
                parts += ["", "", ast.get_source_segment(source, defined[name])]
            else:
                given = ast.parse(reference[cell])
                parts += ["", "", next(ast.get_source_segment(reference[cell], node) for node in given.body
                                       if isinstance(node, ast.FunctionDef) and node.name == name)]
        answers[cell] = "\n".join(preamble + parts).strip() + "\n"
    return answers


def file_entries(kind, graded, assignment=PART1):
    """The entries of <corpus>/<kind>/*.py; `graded` is the reference solution, {cell: source}."""
    functions = cell_functions(graded) if isinstance(graded, dict) else {name: [name] for name in graded}
    for path in sorted((assignment.corpus / kind).glob("*.py")):
        source = path.read_text()
        answers = split_functions(source, functions, graded)
        if not answers or path.stem.split("__")[0] not in answers:
            raise ValueError(f"{path}: defines none of the graded function its name starts with")
        yield Entry(path.stem, kind, ast.get_docstring(ast.parse(source)), answers)


def mutation_entries(reference, assignment=PART1):
    spec = importlib.util.spec_from_file_location(f"corpus_mutations_{assignment.name}",
                                                  assignment.corpus / "mutations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for function, name, description, edits in module.MUTATIONS:
        source = reference[function]
        for old, new in edits:
            if old not in source:
                raise ValueError(f"mutation {function}__{name}: {old!r} is not in the reference solution")
            source = source.replace(old, new)
        yield Entry(f"{function}__{name}", "wrong", description, {function: source})


def load(reference, assignment=PART1):
    """The reference itself, the wrong files, the mutations, then the slow files (if any) and the right ones."""
    entries = [Entry("reference", "right", "The reference solution itself.", dict(reference))]
    entries += file_entries("wrong", reference, assignment)
    entries += mutation_entries(reference, assignment)
    for kind in assignment.kinds[1:]:
        entries += file_entries(kind, reference, assignment)
    return entries


def load_kit():
    """The hidden grading kit as a class, run outside the notebook."""
    namespace = {"get_ipython": lambda: None}
    exec(compile((ROOT / "authoring" / "grading_kit.py").read_text(), "grading_kit.py", "exec"), namespace)
    return namespace["_CnnGradingKit"]


def hidden_check_rejects(kit, reference, entry):
    """Whether the kit's hidden check alone (no visible checks) rejects every function the entry replaces.

    Runs in this process with numpy in the namespace, the reference solution for
    every other function, and the entry's own code; the helpers are the reference's,
    as they are in the notebook while those checks run.
    """
    import numpy

    namespace = {"np": numpy}
    for function in reference:
        exec(entry.answers.get(function, reference[function]), namespace)
    helpers = kit.reference_helpers()
    for function in entry.answers:
        namespace.update({name: helper for name, helper in helpers.items() if name != function})
        try:
            getattr(kit, f"check_{function}")(namespace[function])
        except AssertionError:
            continue
        return False
    return True


def visible_check_message(release, reference, entry):
    """What the visible checks say of the entry, as a student running the release would see it: the
    first line of the first error of the test cells of the functions it replaces ("" if they pass).

    Each test cell of the release holds the visible checks only; it runs in this process with
    numpy, the reference solution for every other function and the entry's own code.
    """
    import numpy

    tests = {submissions.grade_id(c): c.source for c in release.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    namespace = {"np": numpy}
    for function in reference:
        exec(entry.answers.get(function, reference[function]), namespace)
    for function in entry.answers:
        try:
            with numpy.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
                exec(tests[f"test_{function}"], dict(namespace))
        except Exception as error:  # the student's own code failing is a catch too: they see an error
            return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    return ""


class _Shell:
    """What the notebook's code asks of IPython outside a kernel: magics do nothing, events are ignored."""

    class events:  # noqa: N801 (IPython's attribute name)
        register = unregister = staticmethod(lambda *args: None)

    @staticmethod
    def run_line_magic(*args):
        return None


class NotebookChecks:
    """An assignment's visible and hidden checks run in this process, for a notebook that needs more than numpy.

    The release's own code cells (imports, data, helpers: everything but the test cells) run once,
    in order, with the reference solutions, in the release's folder, as a student's kernel would
    run them; each entry then starts from a copy of that namespace with its own cells run again.
    A visible check is the release's test cell; a hidden check is the hidden blocks of the source's
    test cell, run with the hidden kit defined, as the grader runs them (in the instructor's own
    kernel, isolate() swaps in the reference helpers).
    """

    def __init__(self, assignment, release, source, folder):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from IPython.core.inputtransformer2 import TransformerManager

        self.folder = Path(folder).resolve()
        transform = TransformerManager().transform_cell
        self.reference = submissions.reference_solutions(source)
        self.visible = {submissions.grade_id(c): c.source for c in release.cells
                        if c.metadata.get("nbgrader", {}).get("grade")}
        self.hidden = {submissions.grade_id(c): "\n".join(HIDDEN_BLOCK.findall(c.source))
                       for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")}
        base = {"__name__": "__main__", "get_ipython": _Shell}
        with self.here(), _quiet():
            for cell in release.cells:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type != "code" or meta.get("grade"):
                    continue
                code = self.reference[meta["grade_id"]] if meta.get("solution") else cell.source
                try:
                    exec(compile(transform(code), f"<release cell {meta.get('grade_id', '')}>", "exec"), base)
                except Exception:  # a figure or a print that fails costs nothing, as in the notebook
                    pass
                plt.close("all")
        self.base = base
        self.kit = dict(base, grading_folder=str(self.folder))
        for name in assignment.kits:
            exec(compile((ROOT / "authoring" / name).read_text(), name, "exec"), self.kit)
        self.kit = {name: value for name, value in self.kit.items() if name.startswith("_Cnn")}

    @contextlib.contextmanager
    def here(self):
        """In the release's folder, with it on the import path (cnn_layers.py), as the notebook runs."""
        before = os.getcwd()
        sys.path.insert(0, str(self.folder))
        os.chdir(self.folder)
        try:
            yield
        finally:
            os.chdir(before)
            sys.path.remove(str(self.folder))

    def namespace(self, entry, **extra):
        """A copy of the notebook's namespace with every solution cell run again in it, the entry's or the
        reference's (a function looks its helpers up in the namespace it was defined in)."""
        namespace = dict(self.base, **extra)
        for cell, code in self.reference.items():
            exec(entry.answers.get(cell, code), namespace)
        return namespace

    def hidden_rejects(self, entry, cells):
        """Whether the hidden checks alone reject every one of the test cells `cells` (without "test_")."""
        return all(self.hidden_failure(entry, cell) for cell in cells)

    def hidden_failure(self, entry, cell):
        """What the hidden checks of test cell `cell` (without "test_") say of the entry, as the grader's verdict
        says it (the first line of the error), or "" if they pass it."""
        namespace = self.namespace(entry, **self.kit, grading_folder=str(self.folder))
        try:
            with self.here(), _quiet():
                exec(self.hidden[f"test_{cell}"], namespace)
        except Exception as error:  # the grader's cell fails on any error, the kit's or the student's
            return f"{type(error).__name__}: {first_line(error)}"
        return ""

    def visible_message(self, entry):
        """As visible_check_message: the first error of the visible checks of the entry's cells, or ""."""
        for cell in entry.answers:
            namespace = self.namespace(entry)
            try:
                with self.here(), _quiet():
                    exec(self.visible[f"test_{cell}"], namespace)
            except Exception as error:
                return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
        return ""


HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


@contextlib.contextmanager
def _quiet():
    import warnings

    import numpy

    with numpy.errstate(all="ignore"), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def grade(entries, folder, assignment=PART1, cell_timeout=None):
    """Write every entry into a fresh course in `folder`, autograde, and read the outcomes; with `cell_timeout`
    (seconds), the course's cell timeout is that instead of nbgrader_config.py's."""
    course = Course(course_copy(folder).root, assignment.name)
    if cell_timeout is not None:
        course.configure({"Execute.timeout": cell_timeout})
    course.generate()
    release = submissions.read(course.release_notebook)
    source = submissions.read(course.source_notebook)
    reference = submissions.reference_solutions(source)
    graded_in = {}  # id(entry) -> (its notebook's student id, the cells its notebook's other entries answer)
    for number, notebook in enumerate(notebooks(entries), 1):
        student = student_of(notebook, number)
        answers = {cell: code for entry in notebook for cell, code in entry.answers.items()}
        submissions.write(submissions.fill(release, {**reference, **answers}), course.root, student,
                          course.assignment, course.notebook)
        for entry in notebook:
            graded_in[id(entry)] = student, tuple(cell for other in notebook if other is not entry
                                                  for cell in [*other.answers, *assignment.dependents_of(other)])
    course.autograde()
    scores, maxima = course.scores(), course.max_scores()
    messages = {student: course.failure_messages(student) for student, _ in graded_in.values()}
    kit = load_kit() if assignment == PART1 else None
    checks = None if assignment == PART1 else NotebookChecks(assignment, release, source,
                                                              course.release_notebook.parent)
    outcomes = []
    for e in entries:
        student, partners = graded_in[id(e)]
        outcome = Outcome(e, scores[student], maxima, messages[student], assignment=assignment, student=student,
                          partners=partners)
        if kit is not None:
            outcome.hidden_rejects = hidden_check_rejects(kit, reference, e) if e.kind == "wrong" else None
            outcome.visible_message = visible_check_message(release, reference, e)
        else:
            if e.kind != "right":
                outcome.hidden_rejects = checks.hidden_rejects(e, outcome.must_lose)
            outcome.visible_message = checks.visible_message(e)
        outcomes.append(outcome)
    return outcomes


def rows(outcome):
    """(test cell without "test_", what the entry should get there) for each row of the table."""
    o = outcome
    if o.entry.kind == "wrong":
        return [(cell, "less") for cell in o.entry.answers] + [(cell, "any") for cell in o.may_lose]
    if o.entry.kind == "slow":
        return ([(cell, "full") for cell in o.entry.answers] + [(cell, "less") for cell in o.must_lose]
                + [(cell, "any") for cell in o.may_lose])
    return [(cell, "full") for cell in o.must_keep]


def report(outcomes, out=sys.stdout):
    """Print the table and the summary line; return the number of misses."""
    e = max([52] + [len(o.entry.student) + 2 for o in outcomes])  # the columns' widths: part 1's, or wider
    f = max([25] + [len(cell) + 2 for o in outcomes for cell, _ in rows(o)])
    print(f"{'entry':<{e}}{'function':<{f}}{'wanted':<8}{'got':>6}  {'others':<10}{'hidden':<8}{'visible':<9}message",
          file=out)
    for o in outcomes:
        for function, wanted in rows(o):
            got = o.scores[f"test_{function}"]
            others = "full" if not o.collateral else "LOST " + ",".join(o.collateral)
            message = o.messages.get(f"test_{function}", "")
            hidden = {None: "", True: "rejects", False: "MISSES"}[o.hidden_rejects]
            if o.entry.kind == "wrong":
                visible = "catches" if o.visible_message else "passes"
            else:
                visible = "TRIPS" if o.visible_message else ""
            miss = "" if o.verdict_met and o.hidden_rejects is not False and visible != "TRIPS" else "  <-- MISS"
            print(f"{o.entry.student:<{e}}{function:<{f}}{wanted:<8}{got:>6g}  {others:<10}{hidden:<8}{visible:<9}"
                  f"{message[:110]}{miss}", file=out)
    wrong = [o for o in outcomes if o.entry.kind == "wrong"]
    right = [o for o in outcomes if o.entry.kind == "right"]
    slow = [o for o in outcomes if o.entry.kind == "slow"]
    collateral = sum(len(o.collateral) for o in outcomes)
    rejected = sum(o.verdict_met for o in wrong)
    accepted = sum(o.verdict_met for o in right)
    hidden = sum(bool(o.hidden_rejects) for o in wrong)
    print(f"\nwrong rejected {rejected}/{len(wrong)}, right accepted {accepted}/{len(right)}, "
          f"collateral losses {collateral}", file=out)
    shared = [o for o in right if o.partners]
    if shared:
        print(f"{len(shared)} right entries were graded in {len({o.student for o in shared})} notebooks shared with "
              "right entries of other cells", file=out)
    print(f"hidden checks alone (no visible checks) reject {hidden}/{len(wrong)} wrong entries", file=out)
    caught = [o for o in wrong if o.visible_message]
    tripped = [o for o in right + slow if o.visible_message]
    print(f"the visible checks a student runs catch {len(caught)}/{len(wrong)} wrong entries before submission "
          f"and trip {len(tripped)}/{len(right + slow)} right ones", file=out)
    slow_met = sum(o.verdict_met for o in slow)
    slow_hidden = sum(bool(o.hidden_rejects) for o in slow)
    if slow:
        print(f"slow entries (right, too slow for the speed points) lose their speed cell and keep their own: "
              f"{slow_met}/{len(slow)}; the hidden speed check alone rejects {slow_hidden}/{len(slow)}", file=out)
    dependent = [o for o in wrong + slow if o.may_lose]
    if dependent:
        lost = {}
        for o in dependent:
            for cell in o.may_lose:
                lost.setdefault(cell, [0, 0])[1] += 1
                lost[cell][0] += not o.full(cell)
        print("dependent cells (a wrong entry may lose them): " + ", ".join(
            f"{cell} lost by {n}/{of}" for cell, (n, of) in lost.items()), file=out)
    print("wrong entries the visible checks pass (only the hidden tests catch them):", file=out)
    for o in wrong:
        if not o.visible_message:
            print(f"  {o.entry.name}", file=out)
    return ((len(wrong) - rejected) + (len(right) - accepted) + collateral + (len(wrong) - hidden) + len(tripped)
            + (len(slow) - slow_met) + (len(slow) - slow_hidden))


def reference_of(assignment):
    """The assignment's reference solution, {solution cell: source}, from this repo's source notebook."""
    return submissions.reference_solutions(submissions.read(ROOT / "source" / assignment.name / f"{assignment.name}.ipynb"))


def run(assignment):
    """Grade one assignment's corpus and print its table; the number of misses."""
    started = time.monotonic()
    entries = load(reference_of(assignment), assignment)
    print(f"autograding {len(entries)} entries with nbgrader ...", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        outcomes = grade(entries, folder, assignment)
    misses = report(outcomes)
    print(f"corpus wall time {time.monotonic() - started:.0f} s", flush=True)
    return misses


def main(argv=None):
    """Every assignment's corpus (or those named on the command line), one after the other."""
    names = (sys.argv[1:] if argv is None else argv) or list(ASSIGNMENTS)
    unknown = [name for name in names if name not in ASSIGNMENTS]
    if unknown:
        sys.exit(f"no corpus for {', '.join(unknown)}; the corpora are {', '.join(ASSIGNMENTS)}")
    misses = 0
    for number, name in enumerate(names):
        if len(names) > 1:
            print(f"{chr(10) if number else ''}=== corpus of {name} ===", flush=True)
        misses += run(ASSIGNMENTS[name])
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
