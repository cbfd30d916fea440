"""The trained dispatch classifier: the shipped model, training and calibration, the model store,
and ``minsheng classifier`` train and evaluate on a small file (pure; no Temporal, no database)."""

import json
from pathlib import Path

import pytest

from activities.case import DispatchModel
from domain.classification import classify, locate_town
from domain.modelstore import ClassifierError, ModelStore, load
from domain.reference import ReferenceData
from domain.textclassifier import Example, choose_threshold, matching_model, train, training_version
from minsheng.classifier import LabelledFileError, read_labelled
from minsheng.cli import parser

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "models" / "classifier.joblib"
TRAINING = [ROOT / "bench/data/classification.jsonl", ROOT / "bench/data/classification.train.jsonl"]
ODD = "小区门口那块绿地被人圈起来种菜了"


def test_the_shipped_model_is_the_one_its_command_builds_from_the_shipped_training_data(
    reference: ReferenceData,
) -> None:
    model = load(SHIPPED)
    examples = [e for path in TRAINING for e in read_labelled(path, reference)]
    # The version is a hash of the catalogue and the training data: a catalogue or data edit
    # without rebuilding the model (docs/classification.md) fails here.
    assert model.version == training_version(examples, reference)
    assert model.trained_on["requests"] == len(examples)
    assert 0 < model.threshold < 1 and model.dev["automatic_right_unit"] >= 0.95


def test_a_clear_request_is_dispatched_with_the_model_named(reference: ReferenceData) -> None:
    model = load(SHIPPED)
    result = classify(
        "公司拖欠工资三个月不发，老板联系不上", "崖头街道成山大道100号", None, None, reference, 0.5, model
    )
    assert (result.matter_type, result.unit, result.confident) == ("wage_arrears", "hrss_bureau", True)
    assert result.model == model.version and model.version in result.reason
    [best, *others] = result.proposals
    assert best.matter_type == "wage_arrears" and len(others) == 2
    assert best.score >= others[0].score >= others[1].score
    assert "工资" in "".join(best.words)


def test_a_typo_and_dialect_still_reach_the_unit(reference: ReferenceData) -> None:
    result = classify("俺们厂子的工姿拖了仨月了，老板咋也不给", "港湾街道", None, None, reference, 0.5, load(SHIPPED))
    assert result.unit == "hrss_bureau"


def test_an_unclear_request_waits_for_a_dispatcher_with_three_proposals(reference: ReferenceData) -> None:
    result = classify("我想咨询一下", "崖头街道", None, None, reference, 0.5, load(SHIPPED))
    assert not result.confident
    assert len(result.proposals) == 3 and result.confidence < load(SHIPPED).threshold


def test_a_town_matter_without_a_town_is_not_dispatched(reference: ReferenceData) -> None:
    result = classify("村里的账目从来不公开，村干部优亲厚友", "不详", None, None, reference, 0.5, load(SHIPPED))
    assert result.matter_type in ("village_affairs_transparency", "village_cadre_conduct")
    assert result.unit is None and not result.confident


def test_the_threshold_is_the_lowest_score_that_keeps_the_precision_asked() -> None:
    scored = [(0.99, True), (0.95, True), (0.9, True), (0.8, False), (0.7, True), (0.6, False)]
    assert choose_threshold(scored, 0.95) == 0.9
    assert choose_threshold(scored, 0.75) == 0.7
    assert choose_threshold([(0.9, False)], 0.95) == 1.0


def _small_set(reference: ReferenceData) -> list[Example]:
    """Three requests a matter type for a few matter types: enough for the cross-validation."""
    texts = {
        "greening": [ODD, "楼前绿化带被居民圈占种菜", "公共绿地被圈起来种菜", "花坛让人刨了种上了葱"],
        "wage_arrears": ["老板欠了俺三个月的钱不给", "干了半年活一分钱没拿到", "工地上的钱包工头不结"],
        "water_outage": ["家里水龙头一滴水都没有", "一早上起来没有水用", "楼上没水好几天了"],
        "street_lights": ["路上的灯晚上都黑着", "小区外的灯杆不亮了", "晚上马路上黑乎乎的没灯"],
    }
    return [Example(t, code, "崖头街道") for code, ts in texts.items() for t in ts]


def test_training_learns_the_citys_words_and_is_calibrated(reference: ReferenceData) -> None:
    examples = _small_set(reference)
    model = train(examples, reference, lambda a: locate_town(a, None, reference))
    [(best, p), *_] = model.probabilities("门口的公共绿地让人圈起来种上菜了", reference)
    assert best == "greening" and 0 < p < 1
    assert model.temperature > 0 and model.dev["requests"] == len(examples)
    assert model.version == training_version(examples, reference)
    assert "种菜" in "".join(model.deciding_words(ODD, reference, "greening"))


def test_the_store_switches_a_model_on_only_when_asked(tmp_path: Path, reference: ReferenceData) -> None:
    store = ModelStore(tmp_path / "models", SHIPPED)
    assert store.active_version() is None and store.active().version == load(SHIPPED).version
    model = train(_small_set(reference), reference, lambda a: None)
    store.add(model)
    assert store.active_version() is None
    store.activate(model.version)
    assert store.active().version == model.version
    with pytest.raises(ClassifierError, match="no model tc-nope"):
        store.activate("tc-nope")
    (tmp_path / "broken.joblib").write_text("not a model")
    with pytest.raises(ClassifierError, match=r"broken\.joblib: not a classifier model"):
        load(tmp_path / "broken.joblib")


async def test_a_worker_loads_the_model_switched_on_and_keeps_it_otherwise(
    tmp_path: Path, reference: ReferenceData
) -> None:
    store = ModelStore(tmp_path / "models", SHIPPED)
    worker_model = DispatchModel(store)
    assert not await worker_model.refresh() and worker_model.classifier.version == load(SHIPPED).version
    trained = train(_small_set(reference), reference, lambda a: None)
    store.add(trained)
    assert not await worker_model.refresh()  # stored is not switched on
    store.activate(trained.version)
    assert await worker_model.refresh() and worker_model.classifier.version == trained.version


def test_a_labelled_file_with_a_mistake_is_refused_with_its_line(tmp_path: Path, reference: ReferenceData) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("text,address,matter type,unit\n路灯不亮,崖头街道,street_lights,\n路面有坑,崖头街道,potholes,\n")
    with pytest.raises(LabelledFileError, match=r"cases.csv, line 3: matter type 'potholes' is not in the catalogue"):
        read_labelled(path, reference)


def test_train_then_evaluate_a_small_file_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], reference: ReferenceData
) -> None:
    monkeypatch.setenv("MINSHENG_CONFIG_DIR", str(ROOT / "config"))
    monkeypatch.setenv("MINSHENG_CLASSIFIER_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("MINSHENG_CLASSIFIER_SHIPPED", str(SHIPPED))
    path = tmp_path / "dispatched.csv"
    rows = ["text,address,matter_type,unit"] + [f"{e.text},{e.address},{e.matter_type}," for e in _small_set(reference)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    held = tmp_path / "held.jsonl"
    held.write_text(
        json.dumps({"content": "门口的公共绿地让人圈起来种上菜了", "address": "崖头街道", "matter_type": "greening"})
        + "\n"
    )

    def run(*argv: str) -> str:
        args = parser().parse_args(argv)
        assert args.run(args) == 0
        return capsys.readouterr().out

    trained = run("classifier", "train", str(path), "--holdout", str(held), "--no-corrections")
    assert "cross-validation fold 5/5" in trained and "on 1 held-out requests" in trained
    assert "not switched on" in trained
    version = trained.split("classifier activate ")[1].split("`")[0]
    assert (tmp_path / "models" / f"{version}.joblib").is_file()
    assert not (tmp_path / "models" / "ACTIVE").exists()

    assert f"switched on: model {version}" in run("classifier", "activate", version)
    evaluated = run("classifier", "evaluate", str(held))
    assert f"model {version} on 1 requests" in evaluated
    assert "urban_rural_construction" in evaluated  # greening's domain, in the per-domain table


def test_a_precision_written_as_a_percentage_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["classifier", "train", "cases.csv", "--precision", "95"])
    assert "not a share between 0 and 1 (write 0.95 for 95%)" in capsys.readouterr().err


def test_the_matcher_reads_requests_as_the_classifier_does(reference: ReferenceData) -> None:
    model = matching_model(load(SHIPPED), reference)
    one, other = model.likely("楼下的水管子爆了，家里一滴水都没有"), model.likely("停水两天了，自来水一直不来")
    assert one[0][0] == other[0][0] == "water_outage"
    assert model.likely("楼下的水管子爆了，家里一滴水都没有") is one  # remembered: open cases come up again
    assert model.rarity.weights["停水"] > model.rarity.weights["小区"]
