"""benchmarks/serving.py --quick: exports, serves without an_tf, concurrent results equal."""

import pytest

from tests.benchmarks import run_benchmark, table_lines


@pytest.mark.slow  # --runslow; kept out of the default suite for its time budget
def test_quick_serving_document():
    document, stderr, rc = run_benchmark("serving", "--quick")
    assert rc == 0, stderr
    assert document["an_tf_imported"] is False  # the serving process never imported an_tf
    cases = {case["case"]: case for case in document["cases"]}
    assert set(cases) == {"cgan_batch1", "cgan_batch4", "inpainting_32x32", "inpainting_64x64"}
    for case in cases.values():
        assert 0 < case["p50_ms"] <= case["p95_ms"]
        assert case["images_per_s"] > 0 and case["first_call_s"] > 0
    assert cases["cgan_batch1"]["load_s"] > 0 and cases["inpainting_32x32"]["load_s"] > 0
    concurrent = document["concurrent"]
    assert concurrent["calls"] == 80 and concurrent["threads"] == 8
    assert concurrent["unequal_to_sequential"] == 0
    assert concurrent["max_abs_difference"] == 0.0
    assert concurrent["warmup_calls"] == 8
    assert len(concurrent["rss_mb_every_chunk"]) == 10  # 80 calls sampled every 8
    assert "rss_growth_mb" in concurrent and "rss_growth_since_sequential_warmup_mb" in concurrent
    assert len(table_lines(stderr)) == 2 + len(cases)


def test_unknown_concurrent_model_fails_with_one_line_error():
    _, stderr, rc = run_benchmark("serving", "--quick", "--concurrent-model", "cgan_batch3")
    assert rc == 2
    assert "--concurrent-model must be one of" in stderr.strip().splitlines()[-1]
