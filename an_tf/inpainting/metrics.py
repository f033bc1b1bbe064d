"""Evaluation metrics of image inpainting (Wang et al., CVPR 2020 report PSNR and SSIM; mean L1 and
L2 are the other usual ones): per-image values on images in [-1, 1], computed in [0, 1], over the
whole image (as CA and the released AN code report them) or over the hole alone.

With the known pixels pasted back, the whole-image errors are the hole errors diluted by the known
area: whole L2 = hole L2 * hole fraction, so whole PSNR = hole PSNR - 10 log10(hole fraction).
SSIM over the hole averages the SSIM map over the windows centred on hole pixels.

Shape letters: B batch, H height, W width, C channels.
"""

import tensorflow as tf

METRICS = ("psnr", "ssim", "l1", "l2")
REGIONS = ("whole", "hole")
SSIM_SIZE, SSIM_SIGMA, SSIM_K1, SSIM_K2 = 11, 1.5, 0.01, 0.03


def _unit(images):
    """[-1, 1] -> [0, 1] float32, clipped."""
    return tf.clip_by_value((tf.cast(images, tf.float32) + 1.0) / 2.0, 0.0, 1.0)


def _weights(masks, like):
    """Per-pixel weights (B,H,W,1): ones (whole image) or the hole mask."""
    if masks is None:
        return tf.ones_like(like[..., :1])
    return tf.cast(masks, tf.float32)


def _masked_mean(values, weights):
    """Mean of (B,H,W,C) values over the pixels (and channels) where weights (B,H,W,1) are 1."""
    channels = tf.cast(tf.shape(values)[-1], tf.float32)
    total = tf.reduce_sum(values * weights, axis=[1, 2, 3])  # (B,)
    return total / tf.maximum(tf.reduce_sum(weights, axis=[1, 2, 3]) * channels, 1.0)


def l1(targets, predictions, masks=None):
    """Per-image mean absolute error in [0, 1] units (over the hole if `masks`). (B,)."""
    error = tf.abs(_unit(targets) - _unit(predictions))
    return _masked_mean(error, _weights(masks, error))


def l2(targets, predictions, masks=None):
    """Per-image mean squared error in [0, 1] units (over the hole if `masks`). (B,)."""
    error = tf.square(_unit(targets) - _unit(predictions))
    return _masked_mean(error, _weights(masks, error))


def psnr(targets, predictions, masks=None):
    """Per-image PSNR in dB with data range 1 (over the hole if `masks`). (B,H,W,C) x2 -> (B,)."""
    mse = l2(targets, predictions, masks)
    return 10.0 * tf.math.log(1.0 / tf.maximum(mse, 1e-12)) / tf.math.log(10.0)


def _gaussian_filter(x):
    """Depthwise 11x11 Gaussian (sigma 1.5), 'VALID' as tf.image.ssim.
    (B,H,W,C) -> (B,H-10,W-10,C)."""
    coords = tf.range(SSIM_SIZE, dtype=tf.float32) - (SSIM_SIZE - 1) / 2.0
    kernel = tf.nn.softmax(-tf.square(coords) / (2.0 * SSIM_SIGMA ** 2))  # normalized (K,)
    kernel = kernel[:, tf.newaxis] * kernel[tf.newaxis, :]  # (K,K)
    channels = tf.shape(x)[-1]
    kernel = tf.tile(kernel[:, :, tf.newaxis, tf.newaxis], [1, 1, channels, 1])  # (K,K,C,1)
    return tf.nn.depthwise_conv2d(x, kernel, [1, 1, 1, 1], "VALID")


def ssim_map(targets, predictions):
    """SSIM of every 11x11 Gaussian window, as tf.image.ssim computes it (whose value is the map's
    mean). (B,H,W,C) x2 in [-1, 1] -> (B,H-10,W-10,C)."""
    x, y = _unit(targets), _unit(predictions)
    c1, c2 = SSIM_K1 ** 2, SSIM_K2 ** 2
    mu_x, mu_y = _gaussian_filter(x), _gaussian_filter(y)
    var_x = _gaussian_filter(x * x) - mu_x ** 2
    var_y = _gaussian_filter(y * y) - mu_y ** 2
    cov = _gaussian_filter(x * y) - mu_x * mu_y
    luminance = (2.0 * mu_x * mu_y + c1) / (mu_x ** 2 + mu_y ** 2 + c1)
    return luminance * (2.0 * cov + c2) / (var_x + var_y + c2)


def ssim(targets, predictions, masks=None):
    """Per-image SSIM (Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03, data range 1), averaged over
    channels and windows: scikit-image's `structural_similarity(gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=1, channel_axis=-1)`. With `masks`, the mean over the
    windows centred on hole pixels. (B,H,W,C) x2 -> (B,)."""
    values = ssim_map(targets, predictions)  # (B,H-10,W-10,C)
    half = SSIM_SIZE // 2
    weights = _weights(masks, targets)[:, half:-half, half:-half, :]  # window centres
    return _masked_mean(values, weights)


def all_metrics(targets, predictions, masks=None):
    """dict name -> (B,) per-image values: psnr, ssim, l1, l2 of the whole image and, when `masks`
    are given, hole_psnr, hole_ssim, hole_l1, hole_l2 of the hole alone."""
    functions = dict(zip(METRICS, (psnr, ssim, l1, l2)))
    values = {name: fn(targets, predictions) for name, fn in functions.items()}
    if masks is not None:
        values.update({f"hole_{name}": fn(targets, predictions, masks)
                       for name, fn in functions.items()})
    return values
