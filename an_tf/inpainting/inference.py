"""Inference helpers of the inpainting generator (Wang et al., CVPR 2020): images of any size are
padded to a multiple of the network's stride and the result cropped back; the completed image keeps
the known pixels.

Shape letters: B batch, H height, W width.
"""

import tensorflow as tf


def pad_to_multiple(images, masks, multiple=4):
    """Pads (B,H,W,C) images (symmetric reflection) and (B,H,W,1) masks (with 0 = known) at the
    bottom and right so that H and W become multiples of `multiple`. Returns (images, masks)."""
    shape = tf.shape(images)
    pad_h = (-shape[1]) % multiple
    pad_w = (-shape[2]) % multiple
    paddings = [[0, 0], [0, pad_h], [0, pad_w], [0, 0]]
    return tf.pad(images, paddings, mode="SYMMETRIC"), tf.pad(masks, paddings)


def complete(generator, images, masks, multiple=None, return_layout=False):
    """Fills the holes of (B,H,W,3) images in [-1, 1] given (B,H,W,1) masks (1 = missing).

    Returns dict(coarse, refined, completed), each (B,H,W,3) float32 cropped to the input size;
    completed = refined * m + images * (1 - m). With `return_layout` (AN generators), also
    "layout": AN's (B,H'/4,W'/4,n) layout of the padded image, from the same forward pass.
    """
    multiple = multiple or getattr(generator, "size_multiple", 4)
    images = tf.cast(images, tf.float32)
    masks = tf.cast(masks, tf.float32)
    shape = tf.shape(images)
    padded_images, padded_masks = pad_to_multiple(images, masks, multiple)
    extra = {"return_layout": True} if return_layout else {}  # any generator without it
    outputs = generator((padded_images, padded_masks), training=False, **extra)
    coarse = outputs[0][:, :shape[1], :shape[2], :]  # (B,H,W,3) crop back
    refined = outputs[1][:, :shape[1], :shape[2], :]
    completed = refined * masks + images * (1.0 - masks)
    result = {"coarse": coarse, "refined": refined, "completed": completed}
    if return_layout:
        result["layout"] = outputs[2]
    return result
