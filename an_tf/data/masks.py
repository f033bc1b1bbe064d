"""Hole masks for generative inpainting (Yu et al., CVPR 2018 "CA"; Wang et al., CVPR 2020 "AN").

Masks are float32 in {0, 1}, shape (B, H, W, 1), 1 = missing. Every random generator is
stateless (`tf.random.stateless_*` with a `seed` of shape [2]), so a tf.data pipeline that derives
the seed from the element index is deterministic. Boxes are int32 (B, 4) = (top, left, height,
width) of the local-critic region around the hole.

Shape letters: B batch, H height, W width, S strokes, V vertices per stroke.
"""

import math

import tensorflow as tf

MASK_TYPES = ("rect", "center", "free_form")


def _check_box(height, width, box_size, max_shrink=0):
    if not 0 < box_size <= min(height, width):
        raise ValueError(f"box_size must be in [1, {min(height, width)}] for {height}x{width} "
                         f"images, got {box_size}")
    if not 0 <= 2 * max_shrink < box_size:
        raise ValueError(f"max_shrink must be >= 0 and < box_size / 2, got {max_shrink}")


def box_masks(boxes, height, width, shrinks=None):
    """Masks that are 1 inside each box, shrunk by `shrinks` (B, 2) = (dy, dx) on each side.

    Args: boxes (B, 4) int32 (top, left, height, width). Returns (B, H, W, 1) float32.
    """
    boxes = tf.cast(boxes, tf.int32)
    if shrinks is None:
        shrinks = tf.zeros_like(boxes[:, :2])
    top = boxes[:, 0] + shrinks[:, 0]  # (B,)
    bottom = boxes[:, 0] + boxes[:, 2] - shrinks[:, 0]
    left = boxes[:, 1] + shrinks[:, 1]
    right = boxes[:, 1] + boxes[:, 3] - shrinks[:, 1]
    rows = tf.range(height)[tf.newaxis, :]  # (1,H)
    cols = tf.range(width)[tf.newaxis, :]  # (1,W)
    in_rows = (rows >= top[:, tf.newaxis]) & (rows < bottom[:, tf.newaxis])  # (B,H)
    in_cols = (cols >= left[:, tf.newaxis]) & (cols < right[:, tf.newaxis])  # (B,W)
    inside = in_rows[:, :, tf.newaxis] & in_cols[:, tf.newaxis, :]  # (B,H,W)
    return tf.cast(inside, tf.float32)[..., tf.newaxis]  # (B,H,W,1)


def random_box_masks(seed, batch_size, height, width, box_size=128, max_shrink=16):
    """CA's training masks, one per example: a box_size box at a uniformly random position, its
    top/bottom sides shrunk by the same random 0..max_shrink pixels, and left/right likewise.

    Returns (masks (B,H,W,1) float32, boxes (B,4) int32 of the unshrunk box).
    """
    _check_box(height, width, box_size, max_shrink)
    position_seed, shrink_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    limits = tf.constant([height - box_size + 1, width - box_size + 1], tf.int32)
    corner = tf.random.stateless_uniform([batch_size, 2], position_seed, minval=0,
                                         maxval=tf.int32.max, dtype=tf.int32) % limits  # (B,2)
    shrinks = tf.random.stateless_uniform([batch_size, 2], shrink_seed, minval=0,
                                          maxval=max_shrink + 1, dtype=tf.int32)  # (B,2)
    sizes = tf.fill([batch_size, 2], box_size)
    boxes = tf.concat([corner, sizes], axis=1)  # (B,4)
    return box_masks(boxes, height, width, shrinks), boxes


def centered_boxes(batch_size, height, width, box_size=128):
    """(B, 4) int32 boxes of size box_size centred in the image."""
    _check_box(height, width, box_size)
    box = tf.constant([(height - box_size) // 2, (width - box_size) // 2, box_size, box_size])
    return tf.tile(box[tf.newaxis], [batch_size, 1])


def centered_box_masks(batch_size, height, width, box_size=128):
    """The evaluation protocol of Paris StreetView: a centred box. Returns (masks, boxes)."""
    boxes = centered_boxes(batch_size, height, width, box_size)
    return box_masks(boxes, height, width), boxes


def free_form_masks(seed, batch_size, height, width, max_strokes=4, max_vertices=12,
                    max_brush_width=None, max_step=None):
    """Random brush strokes (DeepFill v2 style): each stroke is a polyline of random length and
    direction changes drawn with a round brush. Returns (B, H, W, 1) float32.

    Every example draws 1..max_strokes strokes of 1..max_vertices segments; segment lengths are up
    to `max_step` (default H/4) and brush widths up to `max_brush_width` (default H/8).
    """
    scale = min(height, width)
    max_step = max_step or max(scale // 4, 2)
    max_brush_width = max_brush_width or max(scale // 8, 2)
    num_segments = max_strokes * max_vertices
    seeds = tf.unstack(tf.random.experimental.stateless_split(seed, 6))
    shape = [batch_size, max_strokes]
    starts = tf.random.stateless_uniform(shape + [2], seeds[0]) * [height, width]  # (B,S,2)
    angles = tf.random.stateless_uniform(shape + [max_vertices], seeds[1], 0.0, 2 * math.pi)
    lengths = tf.random.stateless_uniform(shape + [max_vertices], seeds[2], 1.0, max_step)
    steps = tf.stack([tf.sin(angles), tf.cos(angles)], axis=-1) * lengths[..., tf.newaxis]
    points = tf.concat([starts[:, :, tf.newaxis], starts[:, :, tf.newaxis]
                        + tf.cumsum(steps, axis=2)], axis=2)  # (B,S,V+1,2)
    radius = tf.random.stateless_uniform(shape, seeds[3], 1.0, max_brush_width / 2)  # (B,S)
    used_vertices = tf.random.stateless_uniform(shape, seeds[4], 1, max_vertices + 1, tf.int32)
    used_strokes = tf.random.stateless_uniform([batch_size, 1], seeds[5], 1, max_strokes + 1,
                                               tf.int32)
    segment_on = (tf.range(max_vertices)[tf.newaxis, tf.newaxis] < used_vertices[..., tf.newaxis]
                  ) & (tf.range(max_strokes)[tf.newaxis, :, tf.newaxis]
                       < used_strokes[:, :, tf.newaxis])  # (B,S,V)
    begin = tf.reshape(points[:, :, :-1], [batch_size, num_segments, 2])  # (B,S*V,2)
    end = tf.reshape(points[:, :, 1:], [batch_size, num_segments, 2])
    radius = tf.reshape(tf.repeat(radius[..., tf.newaxis], max_vertices, axis=2),
                        [batch_size, num_segments])  # (B,S*V)
    radius *= tf.cast(tf.reshape(segment_on, [batch_size, num_segments]), tf.float32)
    distance = _distance_to_segments(begin, end, height, width)  # (B,S*V,H,W)
    painted = tf.reduce_any(distance <= radius[:, :, tf.newaxis, tf.newaxis] - 0.5, axis=1)
    return tf.cast(painted, tf.float32)[..., tf.newaxis]  # (B,H,W,1)


def _distance_to_segments(begin, end, height, width):
    """Euclidean distance of every pixel centre to every segment. (B,N,2) x2 -> (B,N,H,W)."""
    rows, cols = tf.meshgrid(tf.range(height, dtype=tf.float32) + 0.5,
                             tf.range(width, dtype=tf.float32) + 0.5, indexing="ij")  # (H,W)
    pixels = tf.stack([rows, cols], axis=-1)[tf.newaxis, tf.newaxis]  # (1,1,H,W,2)
    begin = begin[:, :, tf.newaxis, tf.newaxis]  # (B,N,1,1,2)
    direction = end[:, :, tf.newaxis, tf.newaxis] - begin
    length2 = tf.maximum(tf.reduce_sum(tf.square(direction), axis=-1, keepdims=True), 1e-6)
    t = tf.clip_by_value(tf.reduce_sum((pixels - begin) * direction, -1, keepdims=True)
                         / length2, 0.0, 1.0)  # (B,N,H,W,1) projection on the segment
    return tf.norm(pixels - (begin + t * direction), axis=-1)  # (B,N,H,W)


def make_masks(mask_type, seed, batch_size, height, width, box_size=128, max_shrink=16):
    """Masks of `mask_type` ("rect", "center" or "free_form") and the local-critic boxes.

    Returns dict(masks=(B,H,W,1) float32, boxes=(B,4) int32); free-form masks get centred boxes
    (their local critic is the mask-weighted patch critic, which does not use them).
    """
    if mask_type == "rect":
        masks, boxes = random_box_masks(seed, batch_size, height, width, box_size, max_shrink)
    elif mask_type == "center":
        masks, boxes = centered_box_masks(batch_size, height, width, box_size)
    elif mask_type == "free_form":
        masks = free_form_masks(seed, batch_size, height, width)
        boxes = centered_boxes(batch_size, height, width, box_size)
    else:
        raise ValueError(f"mask_type must be one of {MASK_TYPES}, got {mask_type!r}")
    return {"masks": masks, "boxes": boxes}


def validate_masks(masks, images_shape=None):
    """Raises a one-line ValueError unless `masks` is a (B,H,W,1) array of 0s and 1s (matching the
    images' B, H, W when `images_shape` is given). Works on numpy arrays and eager tensors."""
    shape = tuple(masks.shape)
    if len(shape) != 4 or shape[-1] != 1:
        raise ValueError(f"masks must have shape (B, H, W, 1), got {shape}")
    if images_shape is not None and tuple(images_shape[:3]) != shape[:3]:
        raise ValueError(f"masks of shape {shape} do not match images of shape "
                         f"{tuple(images_shape)}")
    values = tf.convert_to_tensor(masks)
    if not bool(tf.reduce_all((values == 0) | (values == 1))):
        raise ValueError("masks must contain only 0 (known) and 1 (missing)")
