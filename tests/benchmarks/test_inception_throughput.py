"""benchmarks/inception_throughput.py --quick: both paths measured on the same graph, same
features; a bad --graphs is one line."""

from tests.benchmarks import run_benchmark, table_lines


def test_quick_inception_throughput_document():
    document, stderr, rc = run_benchmark("inception_throughput", "--quick")
    assert rc == 0, stderr
    (row,) = document["results"]
    assert row["graph"] == "tiny" and row["batch"] == 4
    assert row["function_images_per_s"] > 0 and row["session_images_per_s"] > 0
    assert row["session_over_function"] == (row["session_images_per_s"]
                                            / row["function_images_per_s"])
    assert row["max_abs_feature_difference"] < 1e-4  # the two paths compute the same features
    assert len(table_lines(stderr)) == 2 + 1


def test_unknown_graph_is_one_line():
    _, stderr, rc = run_benchmark("inception_throughput", "--graphs", "resnet")
    assert rc == 2
    assert "unknown graph(s) ['resnet']" in stderr.strip().splitlines()[-1]
