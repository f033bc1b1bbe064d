"""How AN's learned layouts relate to the objects of the synthetic shapes, without labels for the
generated images: the object of a generated image is found by a colour rule, and each AN layer's
argmax layout is scored by its best entity's IoU with it (`best_entity_iou`, the same score as
D's `d_layout_object_iou` on real images); entity usage counts the entities that win the argmax
on at least 1% of all positions (the supplement: without SSR most entities go unused).

Shape letters: B batch, R resolution, r layout resolution, n entities.
"""

import numpy as np
import tensorflow as tf

from an_tf.data.synthetic_shapes import best_entity_iou

# synthetic_shapes colours class c with hue frac(c * golden ratio) +- 0.03, saturation >= 0.75,
# over a desaturated background; on real images this rule's IoU with the true mask is ~0.97
# (tests/metrics/test_layout_metrics.py checks > 0.9).
_GOLDEN = 0.6180339887
MIN_SATURATION = 0.6
MAX_HUE_DISTANCE = 0.08


def colour_object_mask(images, labels):
    """Object mask (B, R, R) bool of images (B, R, R, 3) in [-1, 1] of classes `labels` (B,):
    saturated pixels within MAX_HUE_DISTANCE of the class's hue."""
    hsv = tf.image.rgb_to_hsv((tf.cast(images, tf.float32) + 1.0) / 2.0).numpy()  # (B,R,R,3)
    hue = (np.asarray(labels, np.float64) * _GOLDEN) % 1.0  # (B,)
    distance = np.abs(hsv[..., 0] - hue[:, None, None])
    distance = np.minimum(distance, 1.0 - distance)  # hue is circular
    return (hsv[..., 1] >= MIN_SATURATION) & (distance <= MAX_HUE_DISTANCE)


def usage_from_counts(counts, min_share=0.01):
    """Number of entities whose argmax win count is at least `min_share` of all wins."""
    counts = np.asarray(counts, np.float64)
    return int((counts / max(counts.sum(), 1.0) >= min_share).sum())


class LayoutStatistics:
    """Streams {layer name: layout (B, r, r, n)} batches with object masks (B, R, R); `result()`
    gives "<prefix>layout_object_iou/<layer>" (mean best-entity IoU) and
    "<prefix>entities_used/<layer>" (entities winning >= 1% of all positions seen)."""

    def __init__(self, prefix="g_"):
        self.prefix = prefix
        self.iou_sums, self.counts, self.wins = {}, {}, {}

    def update(self, layouts, object_masks):
        for name, layout in layouts.items():
            layout = np.asarray(layout)
            iou = best_entity_iou(layout, object_masks)  # (B,)
            self.iou_sums[name] = self.iou_sums.get(name, 0.0) + iou.sum()
            self.counts[name] = self.counts.get(name, 0) + len(iou)
            wins = np.bincount(layout.argmax(-1).ravel(), minlength=layout.shape[-1])  # (n,)
            self.wins[name] = self.wins.get(name, 0) + wins

    def result(self):
        values = {}
        for name in sorted(self.counts):
            mean_iou = self.iou_sums[name] / self.counts[name]
            values[f"{self.prefix}layout_object_iou/{name}"] = mean_iou
            values[f"{self.prefix}entities_used/{name}"] = usage_from_counts(self.wins[name])
        return values
