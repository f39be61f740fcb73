"""dvc.yaml lists, for each stage, exactly the project code that stage runs and the params it reads."""

import ast
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


def project_imports(path: Path) -> set[str]:
    """Project modules (archflow.*, tasks.*) that a file imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        found |= {n for n in names if n.split(".")[0] in ("archflow", "tasks") and n not in ("archflow", "tasks")}
    return found


def code_closure(module: str) -> set[str]:
    """Files of ``module`` and of every project module it imports, transitively."""
    seen, todo = set(), [module]
    while todo:
        current = todo.pop()
        path = f"{current.replace('.', '/')}.py"
        if not (ROOT / path).exists():  # a package
            path = f"{current.replace('.', '/')}/__init__.py"
        parts = current.split(".")
        todo.extend(".".join(parts[:n]) for n in range(2, len(parts)) if (ROOT / "/".join(parts[:n]) / "__init__.py").exists())  # a submodule runs its package first
        if path in seen:
            continue
        seen.add(path)
        todo.extend(project_imports(ROOT / path))
    return seen


def test_each_stage_lists_exactly_its_code():
    for stage, spec in PIPELINE.items():
        listed = {d for d in spec["deps"] if d.endswith(".py")}
        assert listed == code_closure(f"tasks.{stage}"), f"{stage}: run `python -m tests.test_dvc_yaml` to update dvc.yaml"


def test_each_stage_command_runs_its_own_flow():
    for stage, spec in PIPELINE.items():
        assert spec["cmd"] == f"python -m flows.stages {stage}"


def rewrite_code_deps(path: Path = ROOT / "dvc.yaml") -> None:
    """Replace each stage's list of .py deps in dvc.yaml with its import closure (keeps the rest)."""
    import re

    lines, result, stage, written = path.read_text().splitlines(), [], None, set()
    for line in lines:
        header = re.match(r"^  ([a-z_]+):$", line)
        if header and header.group(1) in PIPELINE:
            stage = header.group(1)
        if re.match(r"^      - (archflow|tasks)/\S+\.py$", line):
            if stage not in written:
                result += [f"      - {f}" for f in sorted(code_closure(f"tasks.{stage}"))]
                written.add(stage)
            continue
        result.append(line)
    path.write_text("\n".join(result) + "\n")


if __name__ == "__main__":
    rewrite_code_deps()
    print("dvc.yaml: code dependencies rewritten from each stage's imports")
