"""A submission's folder holds regular files and folders only: no link is followed, no special file read.

A symbolic link in a submission is followed by a plain copy (shutil.copy, and so
nbgrader's own copying of a submission's files): one named like the notebook and
pointing at source/ would be graded as the reference solution, one pointing at
gradebook.db would hand the gradebook to the kernel. A FIFO would block the copy
forever. ``copy_submission`` is how the class pipeline stages a submission;
``RefuseLinks`` is the sanitize step that makes plain ``nbgrader autograde``
refuse a submission holding any of these.

The problems found name the student's files and link targets, which the student chose: each name
is made printable here (grading/text.py), once, before the sentence goes anywhere.
"""
import fnmatch
import itertools
import json
import os
import re
import shutil
import stat
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells

from grading.plain_data import JSON_ITEM
from grading.text import printable

MAX_FILES = 1000
MAX_BYTES = 100 * 1024 * 1024
MAX_DEPTH = 32  # folders below the submission's own
MAX_FOLDERS = 1000
# What the grader reads of a notebook. nbgrader's passes (reading, validating, each preprocessor, writing) cost
# time and memory in proportion to a notebook's size and to what json.loads builds of it, outside the kernel's
# limits: 500,000 empty cells (40 MB) held a worker about 390 s and grew it by 2.4 GiB; a list of 4.5 million
# zeros in one cell's metadata (14 MB, 256 objects) took 13.5 s of nbgrader's and 660 MiB. Today's notebooks
# are 80-240 KB, with under 500 JSON objects ("{") and under 5,000 JSON items: the limits leave an honest
# student 20 to 40 times that.
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MAX_NOTEBOOK_OBJECTS = 20_000
MAX_NOTEBOOK_ITEMS = 200_000
MAX_NOTEBOOK_NESTING = 64
BRACKET_OR_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"|[\[{\]}]')  # strings skipped whole, as JSON_ITEM


def refused_notebook(data):
    """Why the grader does not read the notebook `data` (bytes), or None. Counted on the bytes before anything
    parses them: every JSON object (a cell, an output, a metadata entry) needs a "{" however its keys are
    spelt, and every value json.loads makes is an item (plain_data.JSON_ITEM: a string, a bracket, a comma
    or a colon), counted up to the limit."""
    objects = data.count(b"{")
    items = sum(1 for _ in itertools.islice(JSON_ITEM.finditer(data), MAX_NOTEBOOK_ITEMS + 1))
    if len(data) <= MAX_NOTEBOOK_BYTES and objects <= MAX_NOTEBOOK_OBJECTS and items <= MAX_NOTEBOOK_ITEMS:
        if nesting(data) > MAX_NOTEBOOK_NESTING:
            return (f"not graded: the notebook nests JSON more than {MAX_NOTEBOOK_NESTING} levels deep (this "
                    "course's notebooks nest 5); the grader does not read it")
        return unreadable(data)
    counted = f"more than {MAX_NOTEBOOK_ITEMS:,}" if items > MAX_NOTEBOOK_ITEMS else f"{items:,}"
    return (f"not graded: the notebook is {len(data) / 2 ** 20:.1f} MiB and holds {objects:,} JSON objects (cells, "
            f"outputs, metadata) and {counted} JSON items; the grader reads notebooks of at most "
            f"{MAX_NOTEBOOK_BYTES // 2 ** 20} MiB, {MAX_NOTEBOOK_OBJECTS:,} objects and {MAX_NOTEBOOK_ITEMS:,} items")


def walk(folder, max_depth=MAX_DEPTH, max_folders=MAX_FOLDERS):
    """(folder, its entries' names sorted) for `folder` and the folders below it, links not followed, by an
    explicit stack (os.walk recurses once per level: a tree 1,000 deep raised RecursionError and stopped the
    whole class); folders deeper than max_depth, or past max_folders, are not entered but listed in the
    last item, (None, [those folders])."""
    stack, seen, skipped = [(Path(folder), 0)], 0, []
    while stack:
        here, depth = stack.pop()
        seen += 1
        names = sorted(entry.name for entry in os.scandir(here))
        yield here, names
        for name in reversed(names):
            path = here / name
            if stat.S_ISDIR(path.lstat().st_mode):
                if depth + 1 > max_depth or seen + len(stack) >= max_folders:
                    skipped.append(path)
                else:
                    stack.append((path, depth + 1))
    yield None, skipped


def unreadable(data):
    """Why `data` (within the limits above, so safe to parse) is not a notebook nbgrader can read, or None:
    said here in words, where nbgrader would say only that the assignment failed, naming a worker's folder."""
    if not data.strip():
        return "not graded: the notebook file is empty"
    try:
        nb = json.loads(data)
    except ValueError as error:  # UnicodeDecodeError included
        return f"not graded: the notebook is not a JSON file ({printable(error, 120)})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return "not graded: the file is JSON but not a notebook (it has no list of cells)"
    return None


def nesting(data):
    """How deep JSON text (bytes) nests its lists and objects, counted up to MAX_NOTEBOOK_NESTING + 1: json.loads
    and nbformat's validation recurse once per level, and a deep enough notebook stopped nbgrader with an error
    that named no reason."""
    depth = deepest = 0
    for match in BRACKET_OR_STRING.finditer(data):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_NOTEBOOK_NESTING:
                break
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def irregular_entries(folder):
    """(relative path, what it is) of everything below `folder` that is neither a regular file nor a folder,
    both printable; and folders too deep or too many to look into."""
    found = []
    for root, names in walk(folder):
        if root is None:
            found += [(shown(path, folder), f"a folder nested deeper than {MAX_DEPTH} levels or past the "
                                            f"{MAX_FOLDERS}th folder") for path in names[:20]]
            continue
        for name in names:
            path = root / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                found.append((shown(path, folder), f"a symbolic link to {printable(os.readlink(path), 120)}"))
            elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                found.append((shown(path, folder), "a special file"))
    return found


def regular_file_size(path):
    """The size of path if it is a regular file (not followed if a link), else None."""
    try:
        info = Path(path).lstat()
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def shown(path, folder):
    return printable(path.relative_to(folder), 120)


def copy_submission(source, target, max_files=MAX_FILES, max_bytes=MAX_BYTES, skip=()):
    """Copy the regular files and folders of `source` to `target`; the problems, as sentences.

    Links and special files are left out, and files whose names match a pattern in `skip`;
    copying stops at `max_files` files or `max_bytes` bytes.
    """
    source, target = Path(source), Path(target)
    problems, files, size = [], 0, 0
    target.mkdir(parents=True, exist_ok=True)
    for relative, what in irregular_entries(source):
        reason = "too deep to copy" if what.startswith("a folder nested") else "a submission may hold only regular files"
        problems.append(f"left out {relative}: {what} ({reason})")
    for here, names in walk(source):
        if here is None:  # named by irregular_entries above
            break
        (target / here.relative_to(source)).mkdir(exist_ok=True)
        for name in names:
            path = here / name
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode) or any(fnmatch.fnmatch(name, pattern) for pattern in skip):
                continue
            files, size = files + 1, size + info.st_size
            if files > max_files or size > max_bytes:
                problems.append(f"too large: copying stopped at {max_files} files or {max_bytes // 2 ** 20} MiB")
                return problems
            shutil.copyfile(path, target / path.relative_to(source), follow_symlinks=False)
    return problems


class RefuseLinks(NbGraderPreprocessor):
    """Sanitize step: a submission folder holding a link or a special file is not graded."""

    def preprocess(self, nb, resources):
        folder = resources.get("metadata", {}).get("path")
        if folder:
            entries = irregular_entries(folder)
            if entries:
                relative, what = entries[0]
                raise ValueError(f"not graded: the submission holds {relative}, {what}; a submission may hold "
                                 "only regular files")
        return nb, resources


class OverwriteCellsStableIds(OverwriteCells):
    """nbgrader's OverwriteCells, but a test cell it puts back (the student deleted it) gets an id made
    from its grade id, not a random one: grading the same submission twice writes the same notebook."""

    def missing_cell_transform(self, source_cell, max_score, is_solution=False, is_task=False):
        cell = super().missing_cell_transform(source_cell, max_score, is_solution=is_solution, is_task=is_task)
        cell["id"] = ("restored-" + re.sub(r"[^A-Za-z0-9_-]", "-", source_cell.name))[:64]
        return cell
