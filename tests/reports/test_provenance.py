"""an_tf.reports.provenance: the machine, date, commit and versions of studies and benchmarks."""

import subprocess
import sys

from an_tf.reports import provenance as provenance_lib
from tests.cgan.helpers import REPO


def test_provenance_names_the_machine_the_commit_and_the_versions():
    record = provenance_lib.provenance()
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                          cwd=REPO, check=True).stdout.strip()
    assert record["code_commit"] == head
    assert record["machine"].startswith(f"{record['cores']}x {record['cpu']} (")
    assert record["tensorflow"] and record["numpy"] and record["python"].count(".") == 2
    assert provenance_lib.provenance(code_commit="abc123")["code_commit"] == "abc123"


def test_outside_a_checkout_the_commit_is_unknown(tmp_path):
    assert provenance_lib.git_commit(str(tmp_path)).startswith("unknown")


def test_it_does_not_import_tensorflow():
    code = ("import sys; from an_tf.reports.provenance import provenance; provenance(); "
            "print('tensorflow' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          check=True)
    assert done.stdout.strip() == "False"


def test_fields_name_every_key_of_the_record():
    assert set(provenance_lib.FIELDS) == set(provenance_lib.provenance("abc"))
