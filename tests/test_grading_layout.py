"""grading/ shows its design (issue 18, item 9): one module per responsibility, none longer than MAX_LINES, and
no circle of imports between them, counting the imports inside functions. Read from the files' syntax; nothing
is imported or run, so the whole module takes milliseconds."""
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
