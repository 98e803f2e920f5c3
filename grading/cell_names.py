"""What a notebook cell's code reads before binding it, and what it binds: whether moving a test cell to the
end of the notebook changes what it sees (grading.deferred_cells.run_deferred_tests, tests/test_deferred_cells.py).

Read from the code's syntax, statement by statement, without running it: a name a statement reads that no
earlier statement of the cell bound comes from the kernel as the earlier cells left it. A function's body
counts as read where it is defined (it may be called there); its own arguments are its own. Magics are
left out.
"""
import ast
import functools


def stored(node):
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, ast.arg):  # a function's own argument: local to it
            names.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in n.names}
    return names


def loaded(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@functools.lru_cache(maxsize=1024)
def reads_and_binds(source):
    """(names the code reads before binding them itself, names it binds), as frozensets. SyntaxError if it does
    not parse. Cached: most cells are the same in every student's notebook."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))
    reads, binds = set(), set()
    for statement in ast.parse(code).body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            used = loaded(statement.value) if statement.value is not None else set()
            if isinstance(statement, ast.AugAssign):
                used |= stored(statement.target)
            reads |= used - binds
        else:
            reads |= loaded(statement) - binds - stored(statement)
        binds |= stored(statement)
    return frozenset(reads), frozenset(binds)
