"""benchmarks/an_layer.py and benchmarks/contextual_attention.py --quick: JSON plus a table."""

import pytest

from tests.benchmarks import run_benchmark
from tests.benchmarks import table_lines


@pytest.mark.slow  # --runslow; kept out of the default suite for its time budget
def test_quick_an_layer_document():
    document, stderr, rc = run_benchmark("an_layer", "--quick")
    assert rc == 0, stderr
    assert [r["mode"] for r in document["results"]] == ["graph", "xla"]
    for row in document["results"]:
        for target in ("literal", "fused", "layer"):
            assert row[target]["median_ms"] > 0
        assert row["literal_over_fused"] == (row["literal"]["median_ms"]
                                             / row["fused"]["median_ms"])
    assert len(table_lines(stderr)) == 2 + 2  # header, separator, graph, xla


def test_quick_contextual_attention_document():
    document, stderr, rc = run_benchmark("contextual_attention", "--quick")
    assert rc == 0, stderr
    assert [r["branch"] for r in document["results"]] == ["an", "contextual"]
    assert all(r["seconds"] > 0 and r["image_size"] == 32 for r in document["results"])
    assert len(table_lines(stderr)) == 2 + 2
