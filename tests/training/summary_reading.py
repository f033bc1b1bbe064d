"""Reads scalar summaries back from TensorBoard event files (test helper)."""

import glob
import os

import tensorflow as tf
from tensorflow.core.util import event_pb2


def read_events(logdir):
    """All `Event` protos of the event files in `logdir`, in file order."""
    events = []
    for path in sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*"))):
        for record in tf.data.TFRecordDataset(path):
            events.append(event_pb2.Event.FromString(record.numpy()))
    return events


def read_scalars(logdir, tag):
    """[(step, value)] of the scalar summary `tag`, in write order."""
    values = []
    for event in read_events(logdir):
        for value in event.summary.value:
            if value.tag == tag:
                values.append((event.step, float(tf.make_ndarray(value.tensor))))
    return values


def image_tags(logdir):
    """{tag: [steps]} of image summaries (TF2 image summaries: plugin "images")."""
    tags = {}
    for event in read_events(logdir):
        for value in event.summary.value:
            if value.metadata.plugin_data.plugin_name == "images":
                tags.setdefault(value.tag, []).append(event.step)
    return tags
