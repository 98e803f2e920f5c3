"""grading/ shows its design (issue 18, item 9): one module per responsibility, none longer than MAX_LINES, and
no circle of imports between them, counting the imports inside functions. course_tools/ shows the way a
submission travels (issue 19, item 7): one folder per stage, each importing only what its stage may. Read from
the files' syntax; nothing is imported or run, so the whole module takes milliseconds."""
import ast

from conftest import REPO

GRADING = REPO / "grading"
MAX_LINES = 400


def grading_sources():
    """{module's name: its source} of every grading/*.py, the package's own file as "__init__"."""
    return {path.stem: path.read_text() for path in sorted(GRADING.glob("*.py"))}


def grading_imports(source, modules):
    """The modules of `modules` that the code imports, wherever the import stands (a function's body too),
    in any form: import grading.x, from grading.x import y, from grading import x, from . import x, from .x
    import y. A name imported from the package itself that is no module counts as importing "__init__"."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "grading":
                    found.add(parts[1] if len(parts) > 1 else "__init__")
        elif isinstance(node, ast.ImportFrom) and node.level <= 1:
            parts = (node.module or "").split(".") if node.module else []
            if node.level == 1:
                parts = ["grading", *parts]
            if not parts or parts[0] != "grading":
                continue
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(alias.name if alias.name in modules else "__init__" for alias in node.names)
    return found & set(modules)


def import_graph():
    """{grading module: the grading modules it imports}."""
    sources = grading_sources()
    return {name: grading_imports(source, sources) for name, source in sources.items()}


def find_circle(graph):
    """A circle in `graph` ({node: the nodes it points to}) as [a, b, ..., a], or None if there is none."""
    state = {}  # node -> "open" while the nodes it points to are followed, "done" after

    def follow(node, path):
        state[node] = "open"
        path.append(node)
        for other in sorted(graph.get(node, ())):
            if state.get(other) == "open":
                return path[path.index(other):] + [other]
            if other not in state:
                circle = follow(other, path)
                if circle:
                    return circle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            circle = follow(node, [])
            if circle:
                return circle
    return None


def test_no_grading_module_is_longer_than_the_limit():
    lengths = {name: len(source.splitlines()) for name, source in grading_sources().items()}
    too_long = {f"grading/{name}.py": count for name, count in lengths.items() if count > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines (split by responsibility): {too_long}"


def test_grading_modules_import_each_other_without_a_circle():
    circle = find_circle(import_graph())
    assert circle is None, "a circle of imports: " + " -> ".join(f"grading/{name}.py" for name in circle)


def test_the_circle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"a"}}
    assert find_circle(graph) == ["a", "b", "c", "a"]


def test_the_circle_finder_finds_none_where_there_is_none():
    graph = {"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"a", "c"}}
    assert find_circle(graph) is None


def test_the_import_reader_sees_every_form_of_import_between_grading_modules():
    source = ("import json\n"
              "import grading.a\n"
              "from grading.b import something\n"
              "from grading import c, a_name_of_the_package\n"
              "def later():\n"
              "    from grading import d\n"
              "    from . import e\n"
              "class Part:\n"
              "    def method(self):\n"
              "        from .f import another\n"
              "        import grading.g as g\n"
              "from nbgrader import h\n")
    modules = {"__init__", "a", "b", "c", "d", "e", "f", "g", "h", "unused"}
    assert grading_imports(source, modules) == {"__init__", "a", "b", "c", "d", "e", "f", "g"}


# course_tools/, by stage. A part is a stage's folder or a module of course_tools/ itself (its name without .py);
# grading/text.py is a part of its own, the escaping of student text that every side uses.
COURSE_TOOLS = REPO / "course_tools"
STAGES = ("author", "release", "grade", "report", "proof")
OURS = {"course", "notebooks", "author", "release", "grade", "report", "grade_and_report", "system_packages",
        "proof", "grading", "grading.text"}
# What each part may import of OURS (itself always). Anything not named is refused.
MAY_IMPORT = {
    # The course folder and the notebooks serve every stage, so they import no stage. course.py's plain_message
    # takes quoted and type_name from grading/text.py, which grading/ needs too and so keeps.
    "course": {"notebooks", "grading.text"},
    "notebooks": {"course"},
    "author": {"course", "notebooks"},  # no later stage, and nothing of grading/
    "release": {"course", "notebooks"},  # reads source/ files, never the authoring code
    "grade": {"course", "notebooks", "grading", "grading.text"},  # never author/ or report/
    "report": {"course", "notebooks", "grading.text"},  # of grading/, only the escaping of student text
    "grade_and_report": {"course", "notebooks", "grade", "report", "grading", "grading.text"},  # `make grade`
    "system_packages": set(),  # runs before the virtual environment exists: the standard library only
    "proof": OURS,  # anything; and nothing but tests/ imports proof/
}


def is_module(dotted):
    path = REPO.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(source, package):
    """The dotted names of what the code imports, wherever the import stands, relative imports resolved against
    `package` (the importing file's package). `from m import x` counts as m.x where m.x is a module, else as m."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                found.add(f"{module}.{alias.name}" if is_module(f"{module}.{alias.name}") else module)
    return found


def part_of(dotted):
    """The part of OURS that a dotted module name belongs to; "course_tools" for the package's own file; None for
    what is not ours."""
    names = dotted.split(".")
    if names[0] == "grading":
        return "grading.text" if names[1:2] == ["text"] else "grading"
    if names[0] != "course_tools":
        return None
    return names[1] if len(names) > 1 else "course_tools"


def course_tools_sources():
    """{path from the repository's root: source} of every course_tools/**/*.py."""
    return {str(path.relative_to(REPO)): path.read_text() for path in sorted(COURSE_TOOLS.rglob("*.py"))}


def module_and_package(relative):
    """The dotted names of the module at `relative` ("course_tools/grade/cluster.py") and of its package."""
    names = relative.removesuffix(".py").split("/")
    if names[-1] == "__init__":
        return ".".join(names[:-1]), ".".join(names[:-1])
    return ".".join(names), ".".join(names[:-1])


def forbidden_imports(sources):
    """["file imports module (part may not import part)", ...] for `sources` ({path from the root: source})."""
    found = []
    for relative, source in sources.items():
        module, package = module_and_package(relative)
        part = part_of(module)
        allowed = MAY_IMPORT.get(part, set()) | {part, "course_tools"}
        for imported in sorted(imported_modules(source, package)):
            target = part_of(imported)
            if target is not None and target not in allowed:
                found.append(f"{relative} imports {imported} ({part} may not import {target})")
    return found


def test_each_stage_has_its_folder():
    for stage in STAGES:
        folder = COURSE_TOOLS / stage
        assert (folder / "__init__.py").is_file(), f"course_tools/{stage}/ is no package"
        assert ast.get_docstring(ast.parse((folder / "__init__.py").read_text())), \
            f"course_tools/{stage}/__init__.py says nothing of what the stage does and may import"
        assert [p for p in folder.glob("*.py") if p.name != "__init__.py"], f"course_tools/{stage}/ holds no module"


def test_every_course_tools_module_has_a_rule():
    """A new module goes into a stage, or gets its own line in MAY_IMPORT."""
    homeless = [relative for relative in course_tools_sources()
                if part_of(module_and_package(relative)[0]) not in {*MAY_IMPORT, "course_tools"}]
    assert not homeless, f"modules of no stage (move them into one, or give them a rule): {homeless}"


def test_course_tools_imports_follow_the_stages():
    found = forbidden_imports(course_tools_sources())
    assert not found, "imports against the stages (course_tools/<stage>/__init__.py says why):\n" + "\n".join(found)


def test_outside_course_tools_nothing_imports_it_but_the_tests():
    """The workers receive grading/ alone (course_tools/grade/cluster.py ships it), so it imports nothing of
    course_tools/; nor do authoring/ and nbgrader_config.py. (Inside course_tools/, MAY_IMPORT keeps proof/ to
    itself.)"""
    paths = [*GRADING.rglob("*.py"), *(REPO / "authoring").glob("*.py"), *REPO.glob("*.py")]
    found = []
    for relative in sorted(str(path.relative_to(REPO)) for path in paths):
        for module in imported_modules((REPO / relative).read_text(), module_and_package(relative)[1]):
            if part_of(module) not in (None, "grading", "grading.text"):
                found.append(f"{relative} imports {module}")
    assert not found, found


def test_the_stage_rules_refuse_a_forbidden_import():
    """A grade/ module that imports report/ or author/ is refused, and a proof/ module that imports them is not."""
    imports = ("from course_tools.report import reports\n"
               "def later():\n"
               "    from ..author import build_notebook\n")
    found = forbidden_imports({"course_tools/grade/x.py": imports, "course_tools/proof/x.py": imports})
    assert found == [
        "course_tools/grade/x.py imports course_tools.author.build_notebook (grade may not import author)",
        "course_tools/grade/x.py imports course_tools.report.reports (grade may not import report)"]


def test_the_import_reader_resolves_every_form_of_import_in_course_tools():
    source = ("import json\n"
              "import numpy as np\n"
              "from . import cluster\n"
              "from ..course import ROOT\n"
              "from course_tools import notebooks as submissions\n"
              "import course_tools.report.reports\n"
              "from grading.text import printable\n"
              "from grading import owned_folders\n"
              "def later():\n"
              "    from course_tools.author import build_notebook\n")
    found = imported_modules(source, "course_tools.grade")
    assert found == {"json", "numpy", "course_tools.grade.cluster", "course_tools.course", "course_tools.notebooks",
                     "course_tools.report.reports", "grading.text", "grading.owned_folders",
                     "course_tools.author.build_notebook"}
    assert {part_of(module) for module in found} == {None, "grade", "course", "notebooks", "report", "grading.text",
                                                     "grading", "author"}
