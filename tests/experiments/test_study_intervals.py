"""experiments.study_intervals --rewrite_study: a study's summary and .md rewritten from its
records (mean ± sample std), its other fields and statistics kept."""

import json

from an_tf.reports import study_stats
from experiments import study_intervals

RECORDS = [{"arm": arm, "seed": seed, "fd": fd, "accuracy": accuracy}
           for arm, values in (("an", [(30.0, 0.8), (34.0, 0.7)]), ("none", [(50.0, 0.6)]))
           for seed, (fd, accuracy) in enumerate(values)]


def test_rewrite_study_with_and_without_statistics(tmp_path, capsys):
    path = tmp_path / "study_x.json"
    study = {"study": "x", "summary": "stale", "records": RECORDS, "machine": "m"}
    study_intervals.rewrite_study(dict(study), str(path))
    rewritten = json.loads(path.read_text())
    assert list(rewritten) == list(study) and rewritten["machine"] == "m"
    assert rewritten["summary"]["an"]["fd"][:2] == [32.0, 8 ** 0.5]  # ddof=1 (ddof=0: 2)
    table = (tmp_path / "study_x.md").read_text()
    assert "| an | 0.75 ± 0.071 | 32 ± 2.8 |" in table and "| an − none |" not in table
    study_intervals.rewrite_study({**study, "statistics": None}, str(path))
    rewritten = json.loads(path.read_text())
    assert rewritten["statistics"] == study_stats.study_statistics(RECORDS, "an")
    assert "| an − none |" in (tmp_path / "study_x.md").read_text()
    assert "| an − none |" in capsys.readouterr().out
