"""benchmarks/train_step.py --quick: both pipelines' steps timed, FLOPs counted, profiled, no
retracing."""

import pytest

from tests.benchmarks import run_benchmark, table_lines


@pytest.mark.slow  # --runslow; kept out of the default suite for its time budget
def test_quick_train_step_document():
    document, stderr, rc = run_benchmark("train_step", "--quick")
    assert rc == 0, stderr
    rows = {row["case"]: row for row in document["results"]}
    assert set(rows) == {"cgan_quick", "inpainting_quick"}
    for row in rows.values():
        graph = row["graph"]
        assert graph["traces"] == 1  # several steps on new batches, one trace
        assert graph["images_per_s"] > 0 and graph["first_call_s"] > 0
        assert row["flops_per_step"] > 0 and row["flops_ops_unknown_shape"] == 0
        assert 0 < graph["fraction_of_ceiling"] < 1
        assert len(row["top_ops"]) == 3 and all(op["ms_per_step"] > 0 for op in row["top_ops"])
    assert document["ceiling"]["conv_gflops"] > 0
    assert len(table_lines(stderr)) == 2 + len(rows)


def test_unknown_mode_fails_with_one_line_error():
    _, stderr, rc = run_benchmark("train_step", "--modes", "tpu")
    assert rc == 2
    assert "--modes: unknown ['tpu']" in stderr.strip().splitlines()[-1]
