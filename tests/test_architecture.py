"""The architecture, checked from the code's own imports (read with `ast`, nothing is executed).

- `pricing/` is the domain and never imports `bot/` (the outside world depends on it, not back).
- No import cycle among the project's modules. Imports inside functions count: a deferred import
  hides a cycle from Python at start-up but not from the design. Importing a package counts as
  importing its `__init__`.
- No module imports a `_private` name from another project module: what is shared is public
  where it belongs.
- A third-party private name (genai-prices has some llmcost needs) stays inside one adapter
  module per package, so an upgrade that moves it breaks one place.
- The digests' pure logic (schedules, the `digest` grammar, content) imports neither Slack nor
  storage, directly or through another module.

Each rule is a function over a source tree, run on the real tree; the tests at the end plant a
violation in a copy of the real tree and check that the rule reports it, so no rule can pass by
reading nothing.
"""

import ast
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pricing", "bot")
PURE_DIGEST_MODULES = ("bot.digests.schedules", "bot.digests.grammar", "bot.digests.content")
SLACK_OR_STORAGE = ("slack_bolt", "slack_sdk", "sqlalchemy", "alembic", "bot.slack", "bot.storage")


@dataclass(frozen=True)
class Import:
    importer: str
    target: str  # a module or package (its __init__) of the project, or a third-party module
    names: tuple[str, ...]  # names taken from `target` ("from target import a, b")
    line: int


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules(root: Path) -> dict[str, Path]:
    return {
        module_name(root, path): path
        for package in PACKAGES
        for path in sorted((root / package).rglob("*.py"))
    }


def _resolve_relative(importer: str, is_package: bool, level: int, module: str | None) -> str:
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports_of(root: Path) -> Iterator[Import]:
    """Every import statement of every project module, wherever it stands in the module."""
    modules = project_modules(root)
    for importer, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(importer, alias.name, (), node.lineno)
            elif isinstance(node, ast.ImportFrom):
                target = node.module or ""
                if node.level:
                    target = _resolve_relative(
                        importer, path.name == "__init__.py", node.level, node.module
                    )
                names = tuple(alias.name for alias in node.names)
                yield Import(importer, target, names, node.lineno)
                # "from bot.slack import listeners": the submodule is imported too.
                for name in names:
                    if f"{target}.{name}" in modules:
                        yield Import(importer, f"{target}.{name}", (), node.lineno)


def is_project(module: str) -> bool:
    return module.split(".")[0] in PACKAGES


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def pricing_imports_of_bot(root: Path) -> list[str]:
    return [
        f"{found.importer}:{found.line} imports {found.target}"
        for found in imports_of(root)
        if found.importer.split(".")[0] == "pricing" and found.target.split(".")[0] == "bot"
    ]


def import_graph(root: Path) -> dict[str, set[str]]:
    modules = project_modules(root)
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for found in imports_of(root):
        if found.target in modules and found.target != found.importer:
            graph[found.importer].add(found.target)
    return graph


def import_cycles(root: Path) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    graph = import_graph(root)
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = lowlink[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                lowlink[module] = min(lowlink[module], lowlink[target])
            elif target in on_stack:
                lowlink[module] = min(lowlink[module], index[target])
        if lowlink[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def private_project_imports(root: Path) -> list[str]:
    """`from pricing.parse import _words`, and `parse._words` on an imported project module."""
    found_list = []
    for found in imports_of(root):
        if is_project(found.target) and found.target != found.importer:
            found_list += [
                f"{found.importer}:{found.line} imports {found.target}.{name}"
                for name in found.names
                if is_private(name)
            ]
    found_list += [
        f"{importer}:{line} uses {target}.{name}"
        for importer, target, name, line in _private_attributes(root)
        if is_project(target)
    ]
    return found_list


def _private_attributes(root: Path) -> Iterator[tuple[str, str, str, int]]:
    """(importer, module, private attribute, line) for `alias._name` where `alias` is a module
    bound by an import statement of that file."""
    for importer, path in project_modules(root).items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        aliases[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    # "from genai_prices import data": `data` may be a module.
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and is_private(node.attr):
                dotted = _dotted(node.value)
                if dotted is None:
                    continue
                head, _, rest = dotted.partition(".")
                if head in aliases:
                    target = aliases[head] + (f".{rest}" if rest else "")
                    yield importer, target, node.attr, node.lineno


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def third_party_private_users(root: Path) -> dict[str, set[str]]:
    """Third-party package -> the project modules that use one of its private names."""
    users: dict[str, set[str]] = {}
    for found in imports_of(root):
        if is_project(found.target) or found.target == "__future__":
            continue
        private = [name for name in found.names if is_private(name)]
        private_module = any(is_private(part) for part in found.target.split("."))
        if private or private_module:
            users.setdefault(found.target.split(".")[0], set()).add(found.importer)
    for importer, target, _name, _line in _private_attributes(root):
        if not is_project(target):
            users.setdefault(target.split(".")[0], set()).add(importer)
    return users


def impure_digest_imports(root: Path) -> list[str]:
    """What the pure digest modules reach, directly or through project modules, of Slack or
    storage."""
    modules = project_modules(root)
    direct: dict[str, set[str]] = {module: set() for module in modules}
    for found in imports_of(root):
        direct[found.importer].add(found.target)
    problems = []
    for start in PURE_DIGEST_MODULES:
        assert start in modules, f"{start} is gone: update PURE_DIGEST_MODULES"
        seen, todo = {start}, [start]
        while todo:
            module = todo.pop()
            for target in direct[module]:
                if any(target == bad or target.startswith(f"{bad}.") for bad in SLACK_OR_STORAGE):
                    problems.append(f"{start} reaches {target} (through {module})")
                elif target in modules and target not in seen:
                    seen.add(target)
                    todo.append(target)
    return problems


# -- the rules, on the real tree -------------------------------------------------------------


def test_the_rules_read_the_whole_project() -> None:
    modules = project_modules(ROOT)
    assert "pricing.money" in modules
    assert len(modules) > 40
    assert len(list(imports_of(ROOT))) > 200


def test_pricing_never_imports_bot() -> None:
    assert pricing_imports_of_bot(ROOT) == []


def test_no_import_cycles() -> None:
    assert import_cycles(ROOT) == []


def test_no_private_name_crosses_a_module_boundary() -> None:
    assert private_project_imports(ROOT) == []


def test_third_party_private_names_stay_in_one_adapter_per_package() -> None:
    spread = third_party_private_users(ROOT)
    assert all(len(users) == 1 for users in spread.values()), spread


def test_pure_digest_logic_imports_neither_slack_nor_storage() -> None:
    assert impure_digest_imports(ROOT) == []


# -- each rule reports a violation planted in a copy of the real tree --------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tmp_path


def plant(tree: Path, module: str, code: str) -> None:
    """Append `code` to a real module of the copied tree, inside a function when indented."""
    path = project_modules(tree)[module]
    path.write_text(path.read_text(encoding="utf-8") + "\n" + code + "\n", encoding="utf-8")


def test_planted_bot_import_in_pricing_is_reported(tree: Path) -> None:
    assert pricing_imports_of_bot(tree) == []
    plant(tree, "pricing.money", "def leak():\n    from bot import settings\n")
    problems = pricing_imports_of_bot(tree)
    assert any(p.startswith("pricing.money:") and p.endswith("imports bot") for p in problems)


def test_planted_cycle_through_a_function_level_import_is_reported(tree: Path) -> None:
    assert import_cycles(tree) == []
    # pricing.quantities is imported by the grammar; a deferred import back closes a circle.
    importer = next(
        found.importer for found in imports_of(tree) if found.target == "pricing.quantities"
    )
    plant(tree, "pricing.quantities", f"def back():\n    import {importer}\n")
    assert any({"pricing.quantities", importer} <= set(cycle) for cycle in import_cycles(tree))


def test_planted_package_import_counts_as_its_init(tree: Path) -> None:
    # A package's __init__ importing one of its modules, which imports the package back.
    package = "bot"
    plant(tree, "bot.settings", f"import {package}\n")
    plant(tree, package, "from bot import settings\n")
    assert any({"bot", "bot.settings"} <= set(cycle) for cycle in import_cycles(tree))


def test_planted_private_import_is_reported(tree: Path) -> None:
    assert private_project_imports(tree) == []
    plant(tree, "pricing.money", "def _only_here():\n    return 1\n")
    plant(tree, "pricing.quantities", "from pricing.money import _only_here\n")
    plant(tree, "bot.settings", "import pricing.money\nLEAK = pricing.money._only_here\n")
    problems = private_project_imports(tree)
    assert any("pricing.quantities" in p and "_only_here" in p for p in problems), problems
    assert any("bot.settings" in p and "_only_here" in p for p in problems), problems


def test_planted_third_party_private_name_in_a_second_module_is_reported(tree: Path) -> None:
    before = third_party_private_users(tree)
    plant(tree, "pricing.money", "from genai_prices import _private_thing\n")
    plant(tree, "bot.settings", "from genai_prices import _private_thing\n")
    after = third_party_private_users(tree)
    assert len(after["genai_prices"]) >= 2
    assert len(after["genai_prices"]) > len(before.get("genai_prices", set()))


def test_planted_slack_import_in_pure_digest_logic_is_reported(tree: Path) -> None:
    assert impure_digest_imports(tree) == []
    plant(tree, "bot.digests.schedules", "def post():\n    import slack_sdk\n")
    assert any("slack_sdk" in problem for problem in impure_digest_imports(tree))
