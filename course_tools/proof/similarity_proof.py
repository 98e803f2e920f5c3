"""How well the similarity report (course_tools/report/similarity.py) finds copies, measured on the corpora.

The class: every file entry of both corpora (corpus/{wrong,right}/ and corpus/cnn_application/{wrong,slow,
right}/, each written on its own from the assignment's text, by different hands and on different days), a
student each, with the code of the cells it answers. Mutations (corpus/mutations.py) are left out: they are
one-line edits of the reference, not independent work. Then planted copies: for every student whose written
code is long enough to be compared, a copier who took it and renamed its variables, reformatted it, swapped
statements that do not depend on one another and changed its comments (``planted_copy``).

Measured, for several thresholds: the planted pairs listed (detection rate), and the honest pairs listed
(pairs of two corpus entries sharing a cell: false positives). A few wrong entries were written by editing a
right one (a bug put into it): two entries whose code differs in VARIANT_LINES lines or fewer (difflib, line by
line) are such variants, not independent work, and their pairs are counted apart (``variants``).
Then the cost: a class of CLASS_SIZE students per assignment, made by drawing each student's cells from the
corpus's entries and copies of them, timed through the same code `make grade` runs.

    python -m course_tools.proof.similarity_proof
"""
import ast
import builtins
import difflib
import itertools
import random
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from course_tools import notebooks
from course_tools.course import ROOT, Course
from course_tools.proof import corpus
from course_tools.report import similarity

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CLASS_SIZE = 300
VARIANT_LINES = 3  # two entries' code differing in this many lines or fewer (and alike in as many): variants


def release_cells(assignment):
    release = notebooks.read(Course(ROOT, assignment.name).release_notebook)
    return {notebooks.grade_id(cell): cell.source for cell in release.cells if notebooks.grade_id(cell)}


def notebook_functions(assignment):
    """The names of the functions the assignment's notebook defines: a copier keeps them."""
    return [name for names in corpus.cell_functions(corpus.reference_of(assignment)).values() for name in names]


def corpus_class():
    """{student: {cell: the cell's source as the student would hand it in}}, one student per corpus file entry,
    and {student: its assignment's release cells}."""
    students, releases = {}, {}
    for assignment in (corpus.PART1, corpus.PART2):
        reference = corpus.reference_of(assignment)
        cells = release_cells(assignment)
        for kind in assignment.kinds:
            for entry in corpus.file_entries(kind, reference, assignment):
                student = f"{assignment.name}:{entry.kind}:{entry.name}"
                students[student] = dict(entry.answers)
                releases[student] = cells
    return students, releases


class Renamer(ast.NodeTransformer):
    """Gives each local name a new one; leaves builtins, modules and the notebook's functions alone."""

    def __init__(self, keep, rng):
        self.keep, self.rng, self.names = keep, rng, {}

    def new_name(self, name):
        if name in self.keep:
            return name
        if name not in self.names:
            self.names[name] = self.rng.choice(["tmp", "val", "my", "x", "res", "arr"]) + f"_{len(self.names)}"
        return self.names[name]

    def visit_Name(self, node):
        node.id = self.new_name(node.id)
        return node

    def visit_arg(self, node):
        node.arg = self.new_name(node.arg)
        return node


def names_in(node, kind):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, kind)}


def independent(a, b):
    """Two statements whose order does not matter: neither writes a name the other reads or writes."""
    writes_a, writes_b = names_in(a, ast.Store), names_in(b, ast.Store)
    reads_a, reads_b = names_in(a, ast.Load), names_in(b, ast.Load)
    simple = all(isinstance(s, (ast.Assign, ast.AugAssign, ast.AnnAssign)) for s in (a, b))
    return simple and not (writes_a & (reads_b | writes_b) or writes_b & reads_a)


SWAPS = 2  # pairs of statements a copier swaps (the issue's own example: "two statements swapped")


def swap_statements(body, rng, swaps=SWAPS):
    """Swap `swaps` pairs of adjacent independent statements, drawn among those of the function's body and the
    bodies inside it."""
    places = []

    def gather(statements):
        places.extend((statements, i) for i in range(len(statements) - 1)
                      if independent(statements[i], statements[i + 1]))
        for statement in statements:
            for inner in ("body", "orelse"):
                if isinstance(getattr(statement, inner, None), list):
                    gather(getattr(statement, inner))

    gather(body)
    for statements, i in rng.sample(places, min(swaps, len(places))):
        if independent(statements[i], statements[i + 1]):  # an earlier swap may have moved them
            statements[i], statements[i + 1] = statements[i + 1], statements[i]


def planted_copy(source, functions, rng, dead_lines=0):
    """A copy of a cell's source, disguised: every local name renamed, reformatted (ast.unparse), SWAPS pairs of
    independent statements swapped, its comments gone and others written in; and `dead_lines` lines of code
    that change nothing added at the top of each function."""
    tree = ast.parse(source)
    keep = set(dir(builtins)) | {"np", "numpy", "math"} | set(functions) | {
        node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            args = {a.arg for a in node.args.args}
            Renamer(keep | args, rng).visit(node)  # the parameters keep their names: the signature is given
            swap_statements(node.body, rng)
    lines = []
    for line in ast.unparse(tree).splitlines():
        lines.append(line)
        if line.startswith("def "):
            lines += [f"    unused_{n} = {n} * {n + 3} - len([{n}, {n + 1}])" for n in range(dead_lines)]
        if line.strip().startswith("for ") and rng.random() < 0.5:
            lines.append(" " * (len(line) - len(line.lstrip()) + 4) + "# go over every position")
    return "\n".join(lines) + "\n"


def written(students, releases):
    """{student: {cell: written code}}."""
    return {s: {cell: similarity.written_code(code, releases[s][cell]) for cell, code in cells.items()}
            for s, cells in students.items()}


DEAD_LINES = 6  # lines of dead code a copier adds, in the second measure
ROUNDS = 4  # the students are dealt into this many rounds; each round's class has a copy of each of its students


def measure(seed=1, dead_lines=0):
    """The figures: {threshold: (planted pairs listed, honest pairs listed, family pairs listed, the honest pairs
    listed)}, and the counts of planted, honest and family pairs that could be compared, and of students.

    Each round's class is every corpus student plus a planted copy of a quarter of them (each student is
    copied in one round): a class of copies only would make every fingerprint common. An honest or family
    pair counts as listed if it is listed in any round."""
    rng = random.Random(seed)
    students, releases = corpus_class()
    functions = notebook_functions(corpus.PART1) + notebook_functions(corpus.PART2)
    code = written(students, releases)
    order = sorted(students)
    rng.shuffle(order)
    planted_pairs, comparable, scores = set(), set(), {}
    for round_number in range(ROUNDS):
        copied = order[round_number::ROUNDS]
        this_class = dict(code)
        for student in copied:
            this_class[f"copy of {student}"] = {
                cell: similarity.written_code(planted_copy(source, functions, rng, dead_lines),
                                              releases[student][cell])
                for cell, source in students[student].items()}
        compared = {}
        for pair in similarity.similar_pairs(this_class, flagged=min(THRESHOLDS), compared_students=compared):
            key = (pair.first, pair.second)
            scores[key] = max(scores.get(key, 0.0), pair.score)
        # The pairs that could be listed at all: two students compared on a common cell.
        could = {pair for students in compared.values() for pair in itertools.combinations(sorted(students), 2)}
        comparable |= {p for p in could if not any(s.startswith("copy of ") for s in p)}
        planted_pairs |= {p for p in could if p == tuple(sorted((p[0], f"copy of {p[0]}"))) or
                          p == tuple(sorted((p[1], f"copy of {p[1]}")))}
    honest = {p for p in comparable if not variants(code, *p)}
    family = comparable - honest
    table = {}
    for threshold in THRESHOLDS:
        listed = {p for p, s in scores.items() if s >= threshold}
        table[threshold] = (len(listed & planted_pairs), len(listed & honest), len(listed & family),
                            sorted(listed & honest))
    return table, len(planted_pairs), len(honest), len(family), len(students)


def variants(code, a, b):
    """Two students' code of some cell differs in VARIANT_LINES lines or fewer, and has as many lines alike at
    least: one edited into the other."""
    for cell in set(code[a]) & set(code[b]):
        # A trailing comment is no code (a rough cut: a "#" inside a string ends the line too).
        first, second = ([line.split("#")[0].rstrip() for line in code[s][cell].splitlines()] for s in (a, b))
        matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
        changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")
        if changed <= VARIANT_LINES and len(first) - changed >= changed:
            return True
    return False


def large_class(assignment, size, rng):
    """{student: {cell: source}} of `size` students of one assignment: each cell of each student is a disguised
    copy (planted_copy) of the reference or of a corpus entry answering it, drawn at random. Every student's
    code differs from every other's in its names and order, and many share a source: more pairs to compare
    than a real class would give."""
    reference = corpus.reference_of(assignment)
    sources = {cell: [code] for cell, code in reference.items()}
    for kind in assignment.kinds:
        for entry in corpus.file_entries(kind, reference, assignment):
            for cell, code in entry.answers.items():
                sources[cell].append(code)
    functions = notebook_functions(assignment)
    return {f"student{number:03d}": {cell: planted_copy(rng.choice(options), functions, rng)
                                     for cell, options in sources.items()}
            for number in range(size)}


def time_large_classes(size=CLASS_SIZE):
    """{assignment: (seconds to read `size` students' autograded notebooks, seconds to find their similar
    pairs, pairs listed)}, as the class report does it (course_tools/report/reports.py's similarity_section)."""
    rng, times = random.Random(2), {}
    for assignment in (corpus.PART1, corpus.PART2):
        students = large_class(assignment, size, rng)
        with tempfile.TemporaryDirectory() as folder:
            course = Course(Path(folder), assignment.name)
            release = notebooks.read(Course(ROOT, assignment.name).release_notebook)
            course.release_notebook.parent.mkdir(parents=True)
            nbformat.write(release, str(course.release_notebook))
            for student, answers in students.items():
                course.autograded_notebook(student).parent.mkdir(parents=True)
                nbformat.write(notebooks.fill(release, answers), str(course.autograded_notebook(student)))
            started = time.perf_counter()
            code, _, _ = similarity.read_class(course, sorted(students))
            read = time.perf_counter() - started
            pairs = similarity.similar_pairs(code)
            times[assignment.name] = (read, time.perf_counter() - started - read, len(pairs))
    return times


def main():
    started = time.monotonic()
    table, planted, honest, family, students = measure()
    print(f"{students} corpus students (independent entries of both corpora) and a disguised copy of each. "
          f"{planted} copies have a cell long enough to be compared (the other {students - planted} answered only "
          "cells whose own code is too short: never compared, by design); honest pairs that could be compared: "
          f"{honest}; variant pairs (one entry edited into the other): {family}.")
    print("threshold  planted listed  honest listed  variants listed")
    for threshold, (found, false, fam, _) in table.items():
        print(f"{threshold:9.1f}  {found:3d}/{planted} {100 * found / planted:5.1f}%  "
              f"{false:3d}/{honest} {100 * false / honest:5.2f}%  {fam}/{family}")
    dead = measure(dead_lines=DEAD_LINES)[0][similarity.FLAGGED][0]
    print(f"The same copies with {DEAD_LINES} lines of dead code added to each function: {dead}/{planted} listed at "
          f"{similarity.FLAGGED} ({100 * dead / planted:.1f}%)")
    print(f"({time.monotonic() - started:.1f} s)")
    for assignment, (read, compared, listed) in time_large_classes().items():
        print(f"{assignment}: {CLASS_SIZE} students' notebooks read in {read:.1f} s, compared in {compared:.1f} s "
              f"({listed} pairs listed: each student's cells are copies of a few sources, so many are)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
