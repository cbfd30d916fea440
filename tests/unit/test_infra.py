"""``infra/`` stays true to the code: the production-like stack names only settings that exist,
and its files parse (they are not run here)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from minsheng.settings import Settings
from minsheng.temporal import ALL_KEYS
from tests.helpers import ROOT

INFRA = ROOT / "infra"
# Variables of the compose file itself (which image, which host ports), not of Minsheng.
COMPOSE_ONLY = {"MINSHENG_IMAGE", "MINSHENG_API_PORTS"}


def _files() -> list[Path]:
    return [p for p in INFRA.rglob("*") if p.is_file() and p.suffix in {".yaml", ".yml", ".sh", ".tpl", ".example", ""}]


def test_every_setting_infra_names_is_one_minsheng_reads() -> None:
    fields = {f"MINSHENG_{name.upper()}" for name in Settings.model_fields}
    named = {(m, str(p.relative_to(ROOT))) for p in _files() for m in re.findall(r"MINSHENG_[A-Z0-9_]+", p.read_text())}
    # A family named in a comment (MINSHENG_WORKER_*) ends with "_".
    unknown = sorted((m, f) for m, f in named if m not in fields | COMPOSE_ONLY and not m.endswith("_"))
    assert not unknown, f"infra names settings Minsheng does not have: {unknown}"


@pytest.mark.parametrize(
    "path", sorted(str(p.relative_to(ROOT)) for p in INFRA.rglob("*.yaml") if "templates" not in p.parts)
)
def test_infra_yaml_parses(path: str) -> None:
    assert yaml.safe_load((ROOT / path).read_text()) is not None


def test_the_worker_memory_limit_holds_its_sticky_cache() -> None:
    """A cached case costs a worker about 0.3 MiB (bench/README.md): the Helm limit must hold
    the cache it is given, with room for the process itself."""
    worker = yaml.safe_load((INFRA / "helm/minsheng/values.yaml").read_text())["worker"]
    cached, limit = worker["maxCachedWorkflows"], worker["resources"]["limits"]["memory"]
    mib = int(limit.removesuffix("Gi")) * 1024 if limit.endswith("Gi") else int(limit.removesuffix("Mi"))
    assert cached * 0.3 + 300 <= mib, (
        f"{cached} cached cases need about {cached * 0.3 + 300:.0f} MiB; the limit is {limit}"
    )


def test_staging_registers_every_search_attribute_the_workflow_sets() -> None:
    """An attribute the workflow upserts and the namespace lacks fails the case's workflow task."""
    script = (INFRA / "temporal" / "register-minsheng.sh").read_text()
    registered = dict(re.findall(r"^register (\w+) (\w+)$", script, re.MULTILINE))
    cli_type = {"KEYWORD": "Keyword", "DATETIME": "Datetime", "BOOL": "Bool", "KEYWORD_LIST": "KeywordList"}
    expected = {key.name: cli_type[key.indexed_value_type.name] for key in ALL_KEYS}
    assert registered == expected


def test_the_image_holds_every_package_minsheng_installs() -> None:
    """A package left out of the Dockerfile's COPY lines fails only in production, at import."""
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    copied = set(re.findall(r"^COPY (\w+)/ \1/$", (INFRA / "Dockerfile").read_text(), re.MULTILINE))
    assert {p.split(".")[0] for p in packages} <= copied
