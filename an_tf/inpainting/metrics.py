"""Evaluation metrics of image inpainting (Wang et al., CVPR 2020 report PSNR and SSIM; mean L1 and
L2 are the other usual ones): per-image values on images in [-1, 1], computed in [0, 1].

Shape letters: B batch, H height, W width, C channels.
"""

import tensorflow as tf

METRICS = ("psnr", "ssim", "l1", "l2")


def _unit(images):
    """[-1, 1] -> [0, 1] float32, clipped."""
    return tf.clip_by_value((tf.cast(images, tf.float32) + 1.0) / 2.0, 0.0, 1.0)


def psnr(targets, predictions):
    """Per-image PSNR in dB with data range 1 (images in [0, 1]). (B,H,W,C) x2 -> (B,)."""
    mse = tf.reduce_mean(tf.square(_unit(targets) - _unit(predictions)), axis=[1, 2, 3])  # (B,)
    return 10.0 * tf.math.log(1.0 / tf.maximum(mse, 1e-12)) / tf.math.log(10.0)


def ssim(targets, predictions):
    """Per-image SSIM (Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03, data range 1), averaged over
    channels: scikit-image's `structural_similarity(gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=1, channel_axis=-1)`. (B,H,W,C) x2 -> (B,)."""
    return tf.image.ssim(_unit(targets), _unit(predictions), max_val=1.0, filter_size=11,
                         filter_sigma=1.5, k1=0.01, k2=0.03)


def l1(targets, predictions):
    """Per-image mean absolute error in [0, 1] units. (B,)."""
    return tf.reduce_mean(tf.abs(_unit(targets) - _unit(predictions)), axis=[1, 2, 3])


def l2(targets, predictions):
    """Per-image mean squared error in [0, 1] units. (B,)."""
    return tf.reduce_mean(tf.square(_unit(targets) - _unit(predictions)), axis=[1, 2, 3])


def all_metrics(targets, predictions):
    """dict name -> (B,) per-image values of every metric."""
    return {name: fn(targets, predictions)
            for name, fn in zip(METRICS, (psnr, ssim, l1, l2))}
