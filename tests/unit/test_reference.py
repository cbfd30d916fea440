"""The shipped reference data, and the errors a city sees when it breaks a data file."""

import shutil
from pathlib import Path

import pytest
import yaml

from domain.reference import TOWN_OF_LOCATION, ReferenceData, ReferenceDataError, UnitKind, load_reference
from tests.helpers import ROOT


def test_shipped_data_covers_a_rongcheng_sized_city(reference: ReferenceData) -> None:
    kinds = [c.kind for c in reference.channels.values() if c.code != "open311"]  # the report's 15, and Open311
    assert (kinds.count("online"), kinds.count("offline")) == (12, 3) and "open311" in reference.channels
    assert {"hotline_12345", "minsheng_app", "web_portal", "wechat", "mayor_mailbox"} <= set(reference.channels)
    assert {"grid_worker", "door_to_door", "city_inspector"} == {
        c.code for c in reference.channels.values() if c.kind == "offline"
    }
    towns = [u for u in reference.units.values() if u.kind is UnitKind.town]
    departments = [u for u in reference.units.values() if u.kind is UnitKind.department]
    assert len(towns) >= 12 and len(departments) >= 20
    assert len(reference.domains) == 16
    assert all(len(d.matter_types) >= 3 for d in reference.domains.values())
    assert any(m.responsible == TOWN_OF_LOCATION for m in reference.matter_types.values())


def _broken_copy(tmp_path: Path, file: str, edit) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(ROOT / "config", folder)
    data = yaml.safe_load((folder / file).read_text(encoding="utf-8"))
    edit(data)
    (folder / file).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


def test_a_wrong_field_names_the_file_entry_and_field(tmp_path: Path) -> None:
    def purple(data: dict) -> None:
        data["domains"][2]["matter_types"][1]["tier"] = "purple"

    folder = _broken_copy(tmp_path, "catalogue.yaml", purple)
    with pytest.raises(ReferenceDataError) as error:
        load_reference(folder)
    message = str(error.value)
    assert "catalogue.yaml" in message
    assert "domains[2]" in message and "matter_types[1]" in message and ".tier" in message
    assert "'purple'" in message


def test_an_unknown_responsible_unit_is_named(tmp_path: Path) -> None:
    def nobody(data: dict) -> None:
        data["domains"][0]["matter_types"][0]["responsible"] = "no_such_bureau"

    with pytest.raises(ReferenceDataError, match=r"responsible: 'no_such_bureau' is neither a department"):
        load_reference(_broken_copy(tmp_path, "catalogue.yaml", nobody))


def test_a_duplicate_code_is_named(tmp_path: Path) -> None:
    def twice(data: dict) -> None:
        data["channels"].append(dict(data["channels"][0]))

    with pytest.raises(ReferenceDataError, match=r"channels.yaml: channel code 'hotline_12345' appears twice"):
        load_reference(_broken_copy(tmp_path, "channels.yaml", twice))


def test_a_town_without_its_grid_prefix_is_refused(tmp_path: Path) -> None:
    def no_grid(data: dict) -> None:
        del data["units"][0]["grid_prefix"]

    with pytest.raises(ReferenceDataError, match=r"units.yaml: units\[0\] \(code=yatou\).*grid_prefix"):
        load_reference(_broken_copy(tmp_path, "units.yaml", no_grid))


def test_broken_yaml_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    shutil.copytree(ROOT / "config", folder)
    (folder / "units.yaml").write_text("units: [\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"units.yaml: not valid YAML"):
        load_reference(folder)
