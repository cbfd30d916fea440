"""The workflow modules' rules, read from their source: production runs workflows outside the SDK's
sandbox (worker.workflow_runner), so what the sandbox would refuse at run time is refused here,
for every line, whether a test reaches it or not. (The sandbox never looked inside the modules a
workflow passes through, the domain's rules: those are pure by the house rules and their tests.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import workflows

MODULES = sorted(
    p for p in Path(workflows.__file__).parent.glob("*.py") if p.name not in ("__init__.py", "registry.py")
)
PLAIN_IMPORTS = {"__future__", "asyncio", "contextlib", "functools", "inspect", "collections.abc", "datetime", "typing"}
"""What a workflow module may import as it is: deterministic standard library, and the SDK."""
FORBIDDEN_NAMES = {"open", "print", "input", "ZoneInfo", "random", "uuid", "os", "sys", "time", "secrets", "threading"}
FORBIDDEN_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("asyncio", "to_thread"),
    ("asyncio", "run"),
    ("asyncio", "get_event_loop"),
}
"""The wall clock, I/O, randomness and threads: a workflow takes times from ``workflow.now()`` and
everything else from activities."""


def _passed_through(node: ast.With) -> bool:
    return any(
        isinstance(item.context_expr, ast.Call)
        and ast.unparse(item.context_expr.func).endswith("imports_passed_through")
        for item in node.items
    )


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    problems: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for name in names:
                if name not in PLAIN_IMPORTS and name != "temporalio" and not name.startswith("temporalio."):
                    problems.append(f"line {node.lineno}: import of {name} outside imports_passed_through()")
        elif isinstance(node, ast.With) and _passed_through(node):
            continue
        elif isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(
            node.value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp | ast.SetComp
        ):
            problems.append(f"line {node.lineno}: mutable module state (shared by every workflow outside the sandbox)")
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import | ast.ImportFrom) and inner is not node:
                problems.append(f"line {inner.lineno}: an import inside code (it would run in every workflow)")
            elif isinstance(inner, ast.Global):
                problems.append(f"line {inner.lineno}: global (module state shared by every workflow)")
            elif isinstance(inner, ast.Name) and inner.id in FORBIDDEN_NAMES:
                problems.append(f"line {inner.lineno}: {inner.id}")
            elif (
                isinstance(inner, ast.Attribute)
                and isinstance(inner.value, ast.Name)
                and (inner.value.id, inner.attr) in FORBIDDEN_CALLS
            ):
                problems.append(f"line {inner.lineno}: {inner.value.id}.{inner.attr}")
    return problems


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_a_workflow_module_reads_no_clock_no_io_no_randomness(path: Path) -> None:
    assert _problems(path) == [], f"{path.name}: not deterministic outside the sandbox"


def test_the_rules_catch_what_the_sandbox_would(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import random\n"
        "from datetime import datetime\n"
        "from temporalio import workflow\n"
        "with workflow.unsafe.imports_passed_through():\n"
        "    from domain.case import CaseState\n"
        "class W:\n"
        "    def run(self) -> None:\n"
        "        import json\n"
        "        at = datetime.now()\n"
        "        open('x')\n"
        "SEEN = {}\n"
        "def count() -> None:\n"
        "    global SEEN\n"
    )
    assert _problems(bad) == [
        "line 1: import of random outside imports_passed_through()",
        "line 8: an import inside code (it would run in every workflow)",
        "line 9: datetime.now",
        "line 10: open",
        "line 11: mutable module state (shared by every workflow outside the sandbox)",
        "line 13: global (module state shared by every workflow)",
    ]
