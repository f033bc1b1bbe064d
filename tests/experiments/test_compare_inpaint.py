"""experiments.compare_inpaint: a tiny AN vs CA vs none comparison (2 training steps per run)."""

import json
import os

from absl import app, flags
import pytest

from experiments import compare_inpaint

from tests.experiments.helpers import CONFIGS
from tests.experiments.helpers import parse_flags

SMOKE = os.path.join(CONFIGS, "inpaint_smoke.cfg")


def parse(*args):
    return parse_flags(compare_inpaint, f"--config={SMOKE}", *args)


@pytest.mark.slow  # --runslow; kept out of the default suite for its time budget
def test_tiny_comparison_writes_json_table_and_figure(tmp_path, capsys):
    workdir = str(tmp_path / "compare")
    results = compare_inpaint.run(parse(
        f"--workdir={workdir}", "--seeds=0", "--jobs=3", "--figure_images=2",
        "--overrides=train_steps=2,summary_every=1,sample_every=100,dataset=procedural_scenes,"
        "eval_scenes=2"))
    printed = capsys.readouterr().out
    for variant in ("an/paste", "contextual/paste", "none/paste"):
        assert f"| {variant} | 1 |" in printed
    assert "hole PSNR" in printed and "coarse hole PSNR" in printed and "s/step" in printed
    an_row = next(line for line in printed.splitlines() if line.startswith("| an/paste"))
    none_row = next(line for line in printed.splitlines() if line.startswith("| none/paste"))
    assert an_row.split(" | ")[-3] != "-" and none_row.split(" | ")[-3] == "-"  # layout IoU
    assert len(results["runs"]) == 3
    for run in results["runs"]:
        assert run["step"] == 2 and run["peak_rss_mb"] > 100 and run["seconds_per_step"] > 0
        assert {"psnr", "hole_psnr"} <= set(run["metrics"]["free_form"]["refined"])
        assert ("layout" in run["metrics"]["center"]) == (run["attention"] == "an")
    assert results["figure_columns"] == ["input", "contextual", "an", "none", "original"]
    with open(os.path.join(workdir, "comparison.json")) as stream:
        assert json.load(stream)["summary"]["center"]["an/paste"]["seeds"] == [0]
    assert os.path.getsize(os.path.join(workdir, "comparison.png")) > 0
    assert os.path.exists(os.path.join(workdir, "comparison.md"))


@pytest.mark.parametrize("args, message", [
    (["--attentions=an,self"], "attentions"),
    (["--seeds=a"], "seeds"),
    (["--stage2_inputs=add"], "stage2_inputs"),
    (["--overrides=train_steps"], "overrides"),
])
def test_invalid_flags_fail_in_one_line(tmp_path, args, message):
    with pytest.raises(flags.IllegalFlagValueError, match=message):
        parse(f"--workdir={tmp_path}", *args)


def test_tables_from_rewrites_summary_and_md_without_training(tmp_path, capsys):
    from tests.reports.test_inpaint_comparison import RUNS

    path = tmp_path / "inpaint_compare.json"
    path.write_text(json.dumps({"config": "c.cfg", "runs": RUNS, "summary": "stale",
                                "figure_columns": ["input"]}))
    compare_inpaint.main(["compare_inpaint"], flag_values=parse(f"--tables_from={path}"))
    results = json.loads(path.read_text())
    assert list(results) == ["config", "runs", "summary", "figure_columns"]  # order kept
    assert results["summary"]["center"]["an/paste"]["hole_psnr"][0] == 16.0
    table = (tmp_path / "inpaint_compare.md").read_text()
    assert "| an/paste | 2 | 16.00 ± 1.41 |" in table and table in capsys.readouterr().out + "\n"


def test_workdir_or_tables_from_is_required():
    with pytest.raises(app.UsageError, match="--workdir is required"):
        compare_inpaint.main(["compare_inpaint"], flag_values=parse())
