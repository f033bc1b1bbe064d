"""Every notebook runs top to bottom (code cells executed in order, no Jupyter needed)."""

import json
import os
import pathlib

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
# The cGAN notebook trains for ~2.5 min: --runslow (time budget of the default suite).
SLOW_NOTEBOOKS = {"cgan_subclassing.ipynb"}


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW_NOTEBOOKS else p for p in NOTEBOOKS],
    ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path, monkeypatch):
    notebook = json.loads(path.read_text())
    assert notebook["nbformat"] == 4
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__notebook__"}
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        try:
            exec(compile(source, f"{path.name}[cell {index}]", "exec"), namespace)
        except Exception as error:  # name the cell that failed
            raise AssertionError(f"{path.name} cell {index} failed: {error!r}") from error


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ must hold at least one notebook"
    assert os.path.isdir(NOTEBOOKS[0].parent)
