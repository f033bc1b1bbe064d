"""benchmarks/an_vs_attention.py: --quick runs and prints a sane document; bad flags fail cleanly;
the memory model skips what cannot fit."""

import an_vs_attention  # made importable by tests/benchmarks/__init__.py
import pytest

from tests.benchmarks import run_benchmark, table_lines


@pytest.mark.slow  # --runslow; kept out of the default suite for its time budget
def test_quick_run_measures_every_layer_and_mode():
    document, stderr, rc = run_benchmark("an_vs_attention", "--quick")
    assert rc == 0, stderr
    rows = document["results"]
    assert {(r["layer"], r["size"]) for r in rows} == {
        (layer, size) for layer in an_vs_attention.LAYERS for size in (16, 32)}
    for row in rows:
        for mode in an_vs_attention.MODES:
            assert row[mode]["status"] == "measured"
            assert 0 < row[mode]["min_ms"] <= row[mode]["median_ms"] <= row[mode]["max_ms"]
            assert row[mode]["peak_rss_growth_mb"] >= 0
    assert all(r["sa_pooled_over_an"] > 0 for r in document["ratios"])
    assert document["loglog_slopes"]["an_fused/forward"]["sizes"] == [16, 32]
    assert len(document["roofline_an_fused"]) == 2 * 2  # two sizes, two modes
    assert all(r["roofline_ms"] > 0 for r in document["roofline_an_fused"])
    assert document["ceiling"]["matmul_gflops"] > 0
    assert len(table_lines(stderr)) == 2 + len(rows)  # header, separator, one line per row


def test_too_large_sizes_are_reported_not_run():
    need = an_vs_attention.memory_need_gb("sa_unpooled", "forward", 1024, 32, 16)
    assert need > 1000  # 1024^2 positions: P*P float32 logits alone are 4 TB
    args = an_vs_attention.parse_args(["--sizes", "1024", "--layers", "sa_unpooled"])
    rows = an_vs_attention.run_layer("sa_unpooled", [1024], args, budget_gb=8.0)
    assert rows[0]["forward"]["status"].startswith("does not fit")
    assert "median_ms" not in rows[0]["forward_backward"]


def test_memory_need_grows_with_size_and_is_quadratic_for_attention():
    small = an_vs_attention.memory_need_gb("sa_pooled", "forward", 512, 32, 16)
    large = an_vs_attention.memory_need_gb("sa_pooled", "forward", 1024, 32, 16)
    assert 15 < large / small <= 16  # P^2 term dominates; the constant runtime term does not


def test_bad_flag_fails_with_one_line_error():
    _, stderr, rc = run_benchmark("an_vs_attention", "--layers", "an_fused,bogus")
    assert rc == 2
    assert "unknown ['bogus']" in stderr.strip().splitlines()[-1]
