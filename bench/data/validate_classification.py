"""Check a labelled classification set (by default bench/data/classification.jsonl) against the
reference data in config/.

Run from the project root:  .venv/bin/python bench/data/validate_classification.py [FILE]

Checks, for every line: the fields are exactly the expected ones; the id is unique and the content
is unique; channel, domain, matter type and unit codes exist in config/; the matter type belongs to
the domain; the unit is the matter type's department when the catalogue names one, or a town when
it says town_of_location, and then the town found from the grid prefix (else the longest address
keyword) is that unit; a grid, when given, has the town-prefix-NN-NN form and a known prefix and
agrees with any town named in the address; content is 15-150 characters. Prints counts per domain
and per matter type, and exits 1 on any error.
"""

from __future__ import annotations

import collections
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "classification.jsonl"
FIELDS = {"id", "channel", "content", "address", "grid", "domain", "matter_type", "unit"}
GRID = re.compile(r"^([A-Z]{2,3})-\d{2}-\d{2}$")


def main(data: Path = DATA) -> int:
    catalogue = yaml.safe_load((ROOT / "config/catalogue.yaml").read_text(encoding="utf-8"))
    units = yaml.safe_load((ROOT / "config/units.yaml").read_text(encoding="utf-8"))["units"]
    channels = {
        c["code"] for c in yaml.safe_load((ROOT / "config/channels.yaml").read_text(encoding="utf-8"))["channels"]
    }
    domains = {d["code"] for d in catalogue["domains"]}
    matter = {m["code"]: (d["code"], m["responsible"]) for d in catalogue["domains"] for m in d["matter_types"]}
    unit_codes = {u["code"] for u in units}
    towns = [u for u in units if u["kind"] == "town"]
    by_prefix = {t["grid_prefix"]: t["code"] for t in towns}

    def address_town(address: str) -> str | None:
        best: tuple[int, str] | None = None
        for town in towns:
            for keyword in town["address_keywords"]:
                if keyword in address and (best is None or len(keyword) > best[0]):
                    best = (len(keyword), town["code"])
        return best[1] if best else None

    errors: list[str] = []
    ids: set[str] = set()
    contents: set[str] = set()
    rows = []
    for number, line in enumerate(data.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        rows.append(row)
        where = f"line {number} ({row.get('id')})"
        if set(row) != FIELDS:
            errors.append(f"{where}: fields {sorted(row)}")
            continue
        if row["id"] in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(row["id"])
        if row["content"] in contents:
            errors.append(f"{where}: duplicate content")
        contents.add(row["content"])
        if not 15 <= len(row["content"]) <= 150:
            errors.append(f"{where}: content length {len(row['content'])}")
        if row["channel"] not in channels:
            errors.append(f"{where}: unknown channel {row['channel']}")
        if row["domain"] not in domains:
            errors.append(f"{where}: unknown domain {row['domain']}")
        if row["matter_type"] not in matter:
            errors.append(f"{where}: unknown matter type {row['matter_type']}")
            continue
        if row["unit"] not in unit_codes:
            errors.append(f"{where}: unknown unit {row['unit']}")
        domain, responsible = matter[row["matter_type"]]
        if domain != row["domain"]:
            errors.append(f"{where}: {row['matter_type']} belongs to {domain}, not {row['domain']}")
        grid_town = None
        if row["grid"] is not None:
            match = GRID.match(row["grid"])
            if not match or match.group(1) not in by_prefix:
                errors.append(f"{where}: bad grid {row['grid']}")
            else:
                grid_town = by_prefix[match.group(1)]
        named_town = address_town(row["address"])
        if grid_town and named_town and grid_town != named_town:
            errors.append(f"{where}: grid says {grid_town}, address says {named_town}")
        if responsible == "town_of_location":
            town = grid_town or named_town
            if town is None:
                errors.append(f"{where}: town matter but neither grid nor address names a town")
            elif row["unit"] != town:
                errors.append(f"{where}: unit {row['unit']} but the location is in {town}")
        elif row["unit"] != responsible:
            errors.append(f"{where}: unit {row['unit']} but the catalogue names {responsible}")

    for error in errors:
        print("ERROR", error)
    print(f"{len(rows)} lines, {len(errors)} errors")
    per_domain = collections.Counter(r["domain"] for r in rows)
    per_matter = collections.Counter(r["matter_type"] for r in rows)
    print("per domain:")
    for code in (d["code"] for d in catalogue["domains"]):
        print(f"  {code:28s} {per_domain[code]}")
    missing = [m for m in matter if per_matter[m] < 3]
    print(
        f"matter types covered: {sum(1 for m in matter if per_matter[m])}/{len(matter)}; under 3 lines: {missing or 'none'}"
    )
    print("per channel:", dict(collections.Counter(r["channel"] for r in rows).most_common()))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA))
