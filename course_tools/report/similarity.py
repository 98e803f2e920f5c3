"""Similar submissions: pairs of students whose graded cells share code that the rest of the class does not.

A reason for a person to look, never a verdict. Everything runs here, on the instructor's machine.

What is compared is only what a student wrote: each GRADED FUNCTION cell without the release's own lines
(signature, docstring, comments, the `# YOUR CODE HERE` placeholders), and without comments, blank lines and
imports,
so that the starter code never makes two students alike (``written_code``). copydetect (MIT; MOSS-style
fingerprints: every run of K characters of the code's tokens, names and strings replaced by one letter each,
whitespace dropped) fingerprints it, so that renaming and reformatting change nothing.

The class's own distribution then decides what counts, cell by cell (``cell_matches``):
- a fingerprint found in the code of COMMON_SHARE of the class or more (and of COMMON_LEAST students at
  least) is set aside before two students are compared: the loop skeleton the comments dictate, the
  published answer many found; what is left is what few students wrote;
- a cell whose code is shorter than SHORTEST characters of tokens once that is set aside is not compared for
  that student: zero_pad's one np.pad call, distribute_value, one_hot, whose every right answer looks alike;
- students who handed in the same code count as one in that (up to CIRCLE of them): a circle of copies does
  not make its own code the class's;
- two students' score on a cell is the larger of the two shares of their remaining code that the other's
  covers (a copy is found in the copier's code, whatever the copier adds to it), once MATCHED characters
  match; the smaller share below that.
A pair is listed when a cell's score reaches FLAGGED (the figures behind these choices: docs/similarity.md,
measured by ``python -m course_tools.proof.similarity_proof``).
"""
import bisect
import builtins
import difflib
import io
import itertools
import json
import keyword
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

K = 20  # characters of tokenised code per fingerprint (copydetect's noise threshold; its default is 25)
COMMON_SHARE = 0.1  # a fingerprint in this share of the class's code of a cell or more is set aside ...
COMMON_LEAST = 3  # ... when it is in this many students' code at least (two students alone never make one)
CIRCLE = 5  # students who handed in the same code count as one in that, up to this many (common_fingerprints)
SHORTEST = 50  # characters of tokenised code left after that, below which a student's cell is not compared
FLAGGED = 0.5  # a pair is listed when its score on a cell reaches this
MATCHED = 60  # characters of normalised code that must match for the larger share to be the score (CellMatch)
MOST_LINES = 400  # lines of code (not comments, blank lines or imports) of a student's cell that are compared ...
LINE_CHARS = 200  # ... each cut to this many characters: a submission is hostile, its cost bounded

INDENT = 40  # characters of a line's indentation kept (Python accepts any: 200 spaces pushed the code out)

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
COMMENT = re.compile(r"\s*#")
# An import statement and nothing else on its line (`import numpy as np; A = ...` is code).
IMPORT = re.compile(r"\s*(import|from)\s[\w\s.,*()]*(#.*)?$")


@dataclass
class CellMatch:
    """Two students' code of one cell, and what of it matches."""
    cell: str
    shares: tuple  # (share of the first's remaining code the second's covers, the other way)
    slices: tuple  # ([(start, end)] of matching characters in the first's written code, in the second's)
    rank: int = 0  # 1 for the cell's most alike pair of students
    compared: int = 0  # pairs of students compared on the cell
    students: int = 0  # students compared on the cell: their own code was long enough
    with_code: int = 0  # students who wrote code in the cell

    matched: int = 0  # characters of normalised code that match, the fewer of the two students'

    @property
    def score(self):
        """The larger share, how much of one student's own code is in the other's, once MATCHED characters of
        code match at least; the smaller share below that. The smaller share alone would let a copier hide
        behind a few lines of dead code (measured: six such lines halved the copies found); the larger share
        alone listed a student whose own code was a loop header found in another's."""
        return max(self.shares) if self.matched >= MATCHED else min(self.shares)


@dataclass
class Pair:
    first: str
    second: str
    matches: dict = field(default_factory=dict)  # cell -> CellMatch, every cell both could be compared on

    @property
    def score(self):
        return max((m.score for m in self.matches.values()), default=0.0)

    def flagged_cells(self, flagged=FLAGGED):
        return [cell for cell, m in self.matches.items() if m.score >= flagged]


def python_lines(source):
    """The source's lines as Python reads them: a line ends at \\r\\n, \\r or \\n (io.StringIO splits at \\n
    alone, and a cell whose lines end in \\r alone was one comment line to it)."""
    return (match.group() for match in LINE.finditer(source) if match.group())


def stripped_code_lines(source):
    """The source's lines that are code, as (indentation, code): not blank, not comments, not an import statement
    alone (every student imports numpy)."""
    for line in python_lines(source):
        line = line.rstrip("\r\n")
        code = line.lstrip()
        if code and not COMMENT.match(code) and not IMPORT.match(code):
            yield line[:len(line) - len(code)], code


def code_lines(source):
    """stripped_code_lines, each with at most INDENT characters of indentation and LINE_CHARS of code."""
    return (indentation[:INDENT] + code[:LINE_CHARS] for indentation, code in stripped_code_lines(source))


def written_code(cell_source, release_source):
    """The lines of code of `cell_source` that the student wrote: those not in the release's cell, comments,
    blank lines and imports left out first (so that padding a cell with them hides nothing), the first
    MOST_LINES of them."""
    student = list(itertools.islice(code_lines(cell_source), MOST_LINES))
    release = [line.strip() for line in code_lines(release_source)]
    written = []
    # Compared without indentation: the release's lines moved in or out are still the release's.
    matcher = difflib.SequenceMatcher(None, release, [line.strip() for line in student], autojunk=False)
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag in ("insert", "replace"):
            written += student[start:end]
    return "\n".join(written)


def cut_short(cell_source):
    """The cell holds more code than written_code reads: more than MOST_LINES lines of it, or a line of more than
    LINE_CHARS characters."""
    return any(len(code) > LINE_CHARS or number >= MOST_LINES
               for number, (_, code) in enumerate(stripped_code_lines(cell_source)))


# A token of Python: a comment, a string, a name, a number, or any other character. Every alternative but the
# last always matches where it starts (an unterminated string runs to the end of its line, or of the text for
# triple quotes), so no text is scanned twice: linear in the student's text, whatever it holds.
TOKEN = re.compile(r"""#[^\n]*|[rbfuRBFU]{0,2}('\'\'[\s\S]*?(?:'\'\'|\Z)|"\"\"[\s\S]*?(?:"\"\"|\Z)"""
                   r"""|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?)|((?!\d)\w+)|\d[\w.]*|\S""")
KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(dir(builtins))


@dataclass
class Normalised:
    """Code as it is fingerprinted: names "V" (Python's keywords and builtins kept), strings "S", comments and
    whitespace gone; `where[i]` is the (start, end) in the code of the token that gave character i."""
    text: str
    where: list


def normalised(code):
    """The code's tokens, names and formatting normalised. A regular expression, not a parser: any text a
    student wrote goes through in linear time (TOKEN), and it is six times faster than copydetect's own pygments
    lexer (0.2 against 1.1 ms a cell), which kept a class of 300 from fitting in a few seconds."""
    text, where = [], []
    for token in TOKEN.finditer(code):
        word = token.group()
        if word.startswith("#"):
            continue
        if token.group(1):
            word = "S"
        elif token.group(2):
            # Python reads names in NFKC form: fullwidth ｒａｎｇｅ is range, and ｗｉｎｄｏｗ a name like any other.
            word = unicodedata.normalize("NFKC", word)
            word = word if word in KEPT_NAMES else "V"
        text.append(word)
        where += [token.span()] * len(word)
    return Normalised("".join(text), where)


def fingerprint(code):
    """copydetect's fingerprints of normalised code (a Normalised): every run of K characters."""
    from copydetect import CodeFingerprint

    return CodeFingerprint("cell.py", K, 1, filter=False, fp=io.StringIO(code.text))


def set_aside(fingerprint, common):
    """The fingerprint without the class's common fingerprints. Done here, not by copydetect's `boilerplate`:
    it removes them with np.intersect1d(..., assume_unique=True) from a list that repeats a fingerprint where
    the code repeats itself, and so also drops repeats of fingerprints nobody else has."""
    from copydetect.utils import get_token_coverage

    fingerprint.hash_idx = {h: places for h, places in fingerprint.hash_idx.items() if h not in common}
    fingerprint.hashes = set(fingerprint.hash_idx)
    fingerprint.token_coverage = get_token_coverage(fingerprint.hash_idx, K, len(fingerprint.filtered_code))
    return fingerprint


def in_code(slices, code):
    """copydetect's slices of normalised text, as [(start, end)] of the code it came from."""
    last = len(code.where) - 1
    return [(code.where[min(start, last)][0], code.where[min(end - 1, last)][1]) for start, end in zip(*slices)]


def same_code(code):
    """What two students' code of a cell must share to be the same code: its lines, normalised, in any order."""
    return tuple(sorted(normalised(line).text for line in code.split("\n")))


def common_fingerprints(prints, groups=None):
    """The fingerprints in the code of at least COMMON_SHARE of the students of one cell, and of COMMON_LEAST.
    `groups` ({student: same_code}): students who handed in the same code count as one while they are at most
    CIRCLE of them, so that a circle of copies does not make its own code the class's (three copies in a
    class of 30 did: the three vanished from the report)."""
    members = defaultdict(list)
    for student in prints:
        members[(groups or {}).get(student, student)].append(student)
    counts = Counter()
    for students in members.values():
        weight = 1 if len(students) <= CIRCLE else len(students)
        for h in set().union(*(prints[student].hashes for student in students)):
            counts[h] += weight
    least = max(COMMON_LEAST, COMMON_SHARE * len(prints))
    return {h for h, n in counts.items() if n >= least}


def candidate_pairs(prints, flagged):
    """The pairs that share enough fingerprints to reach `flagged` at all: each place a fingerprint is found
    covers at most K characters, so a pair whose shared places cannot cover `flagged` of the shorter code is
    skipped without comparing (with 300 students, most of the 44,850 pairs of a cell)."""
    holders = defaultdict(list)
    for student, p in prints.items():
        for h, places in p.hash_idx.items():
            holders[h].append((student, len(places)))
    shared = Counter()
    for students in holders.values():
        # A fingerprint at n places of each covers up to n * K characters of each (code that repeats itself).
        for (a, n), (b, m) in itertools.combinations(sorted(students), 2):
            shared[(a, b)] += min(n, m)
    return [(a, b) for (a, b), n in shared.items()
            if n * K >= flagged * min(prints[a].token_coverage, prints[b].token_coverage)]


def comparable(codes):
    """({student: normalised code}, {student: its fingerprints without the class's common ones}) of one cell's
    {student: written code}, for the students whose own code is SHORTEST characters long at least."""
    groups = {s: same_code(c) for s, c in codes.items() if c.strip()}
    codes = {s: normalised(c) for s, c in codes.items() if c.strip()}
    prints = {s: fingerprint(c) for s, c in codes.items()}
    common = common_fingerprints(prints, groups)
    prints = {s: set_aside(p, common) for s, p in prints.items()}
    return codes, {s: p for s, p in prints.items() if p.token_coverage >= SHORTEST}


def cell_matches(cell, codes, flagged=FLAGGED, compared_students=None):
    """[(first, second, CellMatch)] of one cell's {student: written code}, for every pair that may reach
    `flagged`; students whose remaining code is shorter than SHORTEST are left out (compared_students, a
    dict, gets {cell: the students compared})."""
    from copydetect import compare_files

    with_code = sum(1 for c in codes.values() if c.strip())
    codes, prints = comparable(codes)
    if compared_students is not None:
        compared_students[cell] = set(prints)
    compared = len(prints) * (len(prints) - 1) // 2
    found = []
    for first, second in candidate_pairs(prints, flagged):
        _, shares, slices = compare_files(prints[first], prints[second])
        matched = min(int((ends - starts).sum()) for starts, ends in slices) if len(slices[0]) else 0
        found.append((first, second, CellMatch(cell, (float(shares[0]), float(shares[1])),
                                               (in_code(slices[0], codes[first]), in_code(slices[1], codes[second])),
                                               matched=matched)))
    # A pair candidate_pairs leaves out cannot reach `flagged`: for a pair that does, its rank among those
    # found is its rank among all.
    scores = sorted(m.score for _, _, m in found)
    for _, _, match in found:
        match.rank, match.compared = len(scores) - bisect.bisect_right(scores, match.score) + 1, compared
        match.students, match.with_code = len(prints), with_code
    return found


def similar_pairs(class_code, flagged=FLAGGED, compared_students=None):
    """Pairs of students with at least one cell scoring `flagged` or more, most alike first, from
    {student: {cell: written code}}. Each pair keeps every cell the two were compared on that came near.
    compared_students, a dict, gets {cell: the students compared on it}."""
    cells = sorted({cell for code in class_code.values() for cell in code})
    pairs = {}
    for cell in cells:
        codes = {student: code[cell] for student, code in class_code.items() if cell in code}
        for first, second, match in cell_matches(cell, codes, flagged / 2, compared_students):
            pairs.setdefault((first, second), Pair(first, second)).matches[cell] = match
    listed = [p for p in pairs.values() if p.score >= flagged]
    return sorted(listed, key=lambda p: (-p.score, p.first, p.second))


def solution_cells(notebook):
    """{grade_id: source} of a notebook's solution cells, from its JSON (whatever its shape: a student made it)."""
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    found = {}
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        metadata, source = cell.get("metadata"), cell.get("source")
        nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        if isinstance(nbgrader, dict) and nbgrader.get("solution") and isinstance(nbgrader.get("grade_id"), str):
            found[nbgrader["grade_id"]] = "".join(map(str, source)) if isinstance(source, list) else str(source or "")
    return found


def read_class(course, students):
    """({student: {solution cell: the code the student wrote in it}}, {student: {test cell: digest of what the
    student's functions returned on its hidden cases}}, {student: [solution cells longer than MOST_LINES lines of
    code, compared on their start only]}) for the course's assignment, from the autograded notebooks: nbgrader
    keeps the solution cells as handed in, and the trusted grader records the digests in the notebook's
    metadata. Read as JSON, without nbformat's schema check (7 ms a notebook, 2 s for 300)."""
    release = solution_cells(json.loads(course.release_notebook.read_text()))
    code, returned, too_long = {}, {}, {}
    for student in students:
        path = course.autograded_notebook(student)
        if not path.exists():
            continue
        try:
            notebook = json.loads(path.read_text())
        except (OSError, ValueError):  # nbgrader wrote it; a report never stops on one notebook
            continue
        cells = solution_cells(notebook)
        code[student] = {cell: written_code(cells[cell], release[cell]) for cell in release if cell in cells}
        long_cells = [cell for cell in release if cell in cells and cut_short(cells[cell])]
        if long_cells:
            too_long[student] = long_cells
        record = notebook
        for key in ("metadata", "trusted_grading", "returned"):
            record = record.get(key) if isinstance(record, dict) else None
        returned[student] = {cell: digest for cell, digest in (record or {}).items() if isinstance(digest, str)}
    return code, returned, too_long


def same_wrong_values(returned, passed, rare=COMMON_SHARE):
    """Students whose functions gave the same wrong values on a test cell's hidden cases, from `returned`
    ({student: {test cell: digest}}) and `passed` ({student: the test cells they got full points for}).
    Values some student passed with are right, not a shared mistake. ([(cell, [students])] of the groups of two
    students or more, each group at most `rare` of the class (a rare shared mistake: a reason to look),
    [(cell, how many)] of the larger groups (a common mistake: no reason to look))."""
    right = {(cell, digest) for student, cells in returned.items() for cell, digest in cells.items()
             if cell in passed.get(student, ())}
    groups = defaultdict(list)
    for student in sorted(returned):
        for cell, digest in returned[student].items():
            if cell not in passed.get(student, ()) and (cell, digest) not in right:
                groups[(cell, digest)].append(student)
    largest = max(2, int(rare * len(returned)))
    shared = sorted(((cell, students) for (cell, _), students in groups.items() if 2 <= len(students) <= largest),
                    key=lambda group: (group[0], group[1]))
    common = sorted((cell, len(students)) for (cell, _), students in groups.items() if len(students) > largest)
    return shared, common
