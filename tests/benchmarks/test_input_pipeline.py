"""benchmarks/input_pipeline.py --quick: both pipelines measured with 1 and all threads."""

import os

from tests.benchmarks import run_benchmark


def test_quick_input_pipeline_document():
    document, stderr, rc = run_benchmark("input_pipeline", "--quick",
                                         "--consumer", "imagenet=10,image_folder=2")
    assert rc == 0, stderr
    rows = {row["pipeline"]: row for row in document["results"]}
    assert set(rows) == {"imagenet", "image_folder"}
    for row in rows.values():
        assert row["images_per_s_1_threads"] > 0
        assert row[f"images_per_s_{os.cpu_count()}_threads"] > 0
        assert row["steps_per_s_one_core_feeds_at_paper_batch"] == (
            row["images_per_s_1_threads"] / row["paper_batch"])
        assert row["headroom_all_cores"] > 0
        assert row["mean_jpeg_kb"] > 0


def test_bad_consumer_fails_with_one_line_error():
    _, stderr, rc = run_benchmark("input_pipeline", "--quick", "--consumer", "celeba=3")
    assert rc == 2
    assert "unknown pipeline 'celeba'" in stderr.strip().splitlines()[-1]
