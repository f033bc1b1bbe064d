"""The download-free classifier of any labelled dataset (data_classifier): its one-line refusals
of too few images (its training and caching: tests/cgan/evaluation/test_references.py)."""

import pytest

from an_tf.metrics import data_classifier


def test_too_few_images_is_one_line():
    with pytest.raises(ValueError, match="at least 2 real training images per class"):
        data_classifier.check_trainable(num_train=3, num_held_out=1, num_classes=2)
    with pytest.raises(ValueError, match="1 held out"):
        data_classifier.check_trainable(num_train=30, num_held_out=0, num_classes=2)
