"""What a notebook cell's code reads before binding it, and what it binds: whether moving a test cell to the
end of the notebook changes what it sees (grading.deferred_cells.run_deferred_tests, tests/test_deferred_cells.py).

Read from the code's syntax, statement by statement, without running it: a name a statement reads that no
earlier statement of the cell bound comes from the kernel as the earlier cells left it. A function's body
counts as read where it is defined (it may be called there); its own arguments are its own. Magics are
left out.
"""
import ast
import functools


ANY_NAME = "*"  # what a star import binds: any name


def stored(node):
    return set(bound_to(node))


def bound_to(node):
    """{name: what the node binds it to}: an import's module or module attribute, the same object wherever in
    the notebook it runs (("import", "numpy") for `import numpy as np`, ("from", "numpy", "pad") for `from numpy
    import pad`), or None, a value of its own (an assignment, a definition, a loop, ...). A name bound twice
    by the node, in different ways, maps to None."""
    bound = {}

    def bind(name, origin=None):
        bound[name] = origin if bound.get(name, origin) == origin else None

    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            bind(n.id)
        elif isinstance(n, ast.arg):  # a function's own argument: local to it
            bind(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(n.name)
        elif isinstance(n, ast.ExceptHandler) and n.name:
            bind(n.name)
        elif isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name:
            bind(n.name)
        elif isinstance(n, ast.MatchMapping) and n.rest:
            bind(n.rest)
        elif isinstance(n, ast.Import):
            for alias in n.names:  # `import a.b` binds a; `import a.b as c` binds c to a.b
                bind(alias.asname or alias.name.split(".")[0], ("import", alias.name if alias.asname else
                                                                alias.name.split(".")[0]))
        elif isinstance(n, ast.ImportFrom):
            for alias in n.names:
                origin = None if n.level else ("from", n.module, alias.name)  # a relative import: the folder's
                bind(ANY_NAME if alias.name == "*" else alias.asname or alias.name, origin)
    return bound


def loaded(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@functools.lru_cache(maxsize=1024)
def reads_and_binds(source):
    """(names the code reads before binding them itself, names it binds), as frozensets. SyntaxError if it does
    not parse. Cached: most cells are the same in every student's notebook."""
    reads, binds = set(), set()
    for statement in parsed(source).body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            used = loaded(statement.value) if statement.value is not None else set()
            if isinstance(statement, ast.AugAssign):
                used |= stored(statement.target)
            reads |= used - binds
        else:
            reads |= loaded(statement) - binds - stored(statement)
        binds |= stored(statement)
    return frozenset(reads), frozenset(binds)


@functools.lru_cache(maxsize=1024)
def bindings(source):
    """bound_to of the whole code: every name it binds, with the import that binds it or None. SyntaxError if it
    does not parse. Cached, as reads_and_binds."""
    return bound_to(parsed(source))


def imports(source):
    """{name: the module or module attribute} of the names that the code binds by import statements alone, each
    to one thing (`import numpy as np` -> {"np": ("import", "numpy")}). SyntaxError if it does not parse."""
    return {name: origin for name, origin in bindings(source).items() if origin is not None}


def parsed(source):
    """The cell's syntax tree, its magics and shell lines left out."""
    return ast.parse("\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")))


# Calls that change what the whole process does (numpy's error and print settings, its global random state,
# matplotlib's and warnings' settings, attributes of objects, the working folder, context managers by hand): code
# that sets one may put it back further down, and cut short before that, would leave it set.
STATE_SETTERS = frozenset({"seterr", "seterrcall", "set_printoptions", "set_state", "setattr", "delattr", "rc",
                           "rcdefaults", "rc_file", "use", "switch_backend", "filterwarnings", "simplefilter",
                           "resetwarnings", "chdir", "setrecursionlimit", "setswitchinterval", "settrace",
                           "setprofile", "__enter__", "__exit__"})


@functools.lru_cache(maxsize=256)
def nothing_to_undo(source):
    """Whether code cut short anywhere leaves no setting of the process that a later statement of it would have
    put back: it calls no setter (STATE_SETTERS), assigns no attribute, and stores items only in objects it
    names (an array `x[i] = ...`, not `plt.rcParams[...] = ...`). A `with` block or a `finally` puts back what it
    set even when cut short. What it does to its own objects is left as a cell that ran to its end leaves it.
    For the instructor's released cells (grading/deferred_cells.py): it reads the code as written, not what the
    functions it calls do. False if the code does not parse."""
    try:
        tree = parsed(source)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in STATE_SETTERS:
                return False
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            return False
        elif (isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del))
              and not isinstance(node.value, ast.Name)):
            return False
    return True
