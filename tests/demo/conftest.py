"""Tiny exported models for the demo tests (untrained: the tests check the plumbing, not the
pictures), built once per session. AN_TF_DEMO_EXPORTS=<dir with cgan/ and inpaint/> uses real
exports instead (the README's screenshots)."""

import os

import pytest

CLASS_NAMES = ("red circle", "green square", "blue triangle", "yellow star")


def tiny_exports(directory):
    """Exports a tiny cGAN generator (32x32, 4 named classes) and a tiny inpainting generator."""
    import numpy as np
    import tensorflow as tf

    from an_tf.cgan.export import export_generator as export_cgan
    from an_tf.inpainting.export import export_generator as export_inpaint
    from tests.cgan.helpers import Z_DIM, tiny_generator as tiny_cgan
    from tests.inpainting.helpers import tiny_generator as tiny_inpaint

    generator = tiny_cgan()
    generator(tf.zeros([2, Z_DIM]), tf.constant([0, 1]), training=True)  # moving statistics
    rng = np.random.default_rng(0)
    for variable in generator.variables:  # untrained CBN embeddings are equal for every class
        if "/bias/" in variable.path or "/gain/" in variable.path:
            variable.assign(rng.normal(0, 0.5, variable.shape) + variable.numpy())
    cgan = export_cgan(generator, os.path.join(directory, "cgan"), class_names=CLASS_NAMES)
    inpaint = export_inpaint(tiny_inpaint(), os.path.join(directory, "inpaint"))
    return {"cgan": cgan, "inpaint": inpaint}


@pytest.fixture(scope="session")
def exports(tmp_path_factory):
    """{"cgan": export dir, "inpaint": export dir}."""
    tiny = tiny_exports(str(tmp_path_factory.mktemp("demo_exports")))
    return {kind: real_export(kind) or path for kind, path in tiny.items()}


def real_export(kind):
    """AN_TF_DEMO_EXPORTS/<kind> when that SavedModel exists, else None."""
    path = os.path.join(os.environ.get("AN_TF_DEMO_EXPORTS", ""), kind)
    return path if os.environ.get("AN_TF_DEMO_EXPORTS") and os.path.isdir(path) else None
