"""No import cycle among the project's own modules, imports inside functions included.

Every project .py is parsed with `ast`; each import (at module level or inside a function) is an
edge to the project module it names. A name a package's `__init__` re-exports (`from
applications.models import Campaign`) is an edge to the submodule that defines it, and the
`__init__` importing its own submodules is not counted. The graph must have no strongly connected
component of more than one module.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("applications", "config", "home", "notices", "service_hall", "staff_auth")


def project_modules():
    """Dotted name -> (path, is_package) for every project module outside migrations."""
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            modules[name] = (path, is_package)
    return modules


def imported_names(tree, name, is_package):
    """Every module name an import statement in `tree` may load (`from a import b` names a.b and a)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module
            for alias in node.names:
                yield f"{module}.{alias.name}"
            yield module


def re_exports(modules, trees):
    """`package.Name` -> the submodule its `__init__` imports Name from."""
    found = {}
    for name, (_path, is_package) in modules.items():
        if not is_package:
            continue
        for node in ast.walk(trees[name]):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith(name + "."):
                for alias in node.names:
                    found[f"{name}.{alias.asname or alias.name}"] = node.module
    return found


def import_graph():
    modules = project_modules()
    trees = {name: ast.parse(path.read_text(encoding="utf-8")) for name, (path, _) in modules.items()}
    exported = re_exports(modules, trees)
    graph = {}
    for name, (_path, is_package) in modules.items():
        targets = set()
        for imported in imported_names(trees[name], name, is_package):
            imported = exported.get(imported, imported)
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if not imported or imported == name:
                continue
            if is_package and imported.startswith(name + "."):
                continue  # a package re-exporting its own submodules
            targets.add(imported)
        graph[name] = targets
    return graph


def strongly_connected_components(graph):
    """Tarjan's algorithm, iterative."""
    index, lowlink, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = lowlink[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = lowlink[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    lowlink[node] = min(lowlink[node], index[child])
            else:
                work.pop()
                if work:
                    lowlink[work[-1][0]] = min(lowlink[work[-1][0]], lowlink[node])
                if lowlink[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return components


def test_no_import_cycle_among_project_modules():
    cycles = [component for component in strongly_connected_components(import_graph()) if len(component) > 1]
    assert cycles == []
