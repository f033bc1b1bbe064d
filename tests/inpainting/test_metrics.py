"""PSNR, SSIM, L1, L2 against scikit-image and numpy on fixed images."""

import numpy as np
import skimage.data
import skimage.metrics

from an_tf.inpainting import metrics


def fixed_pair():
    clean = skimage.data.astronaut()[100:164, 200:264].astype(np.float64) / 255.0  # (64,64,3)
    noise = np.random.default_rng(0).normal(scale=0.05, size=clean.shape)
    noisy = np.clip(clean + noise, 0, 1)
    to_signed = lambda x: (x * 2 - 1)[np.newaxis].astype(np.float32)  # noqa: E731
    return clean, noisy, to_signed(clean), to_signed(noisy)


def test_psnr_matches_skimage():
    clean, noisy, a, b = fixed_pair()
    expected = skimage.metrics.peak_signal_noise_ratio(clean, noisy, data_range=1.0)
    np.testing.assert_allclose(metrics.psnr(a, b)[0], expected, rtol=1e-4)


def test_ssim_matches_skimage():
    clean, noisy, a, b = fixed_pair()
    expected = skimage.metrics.structural_similarity(
        clean, noisy, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
        data_range=1.0, channel_axis=-1)
    np.testing.assert_allclose(metrics.ssim(a, b)[0], expected, atol=2e-3)
    np.testing.assert_allclose(metrics.ssim(a, a)[0], 1.0, atol=1e-5)


def test_l1_l2_match_numpy():
    clean, noisy, a, b = fixed_pair()
    values = metrics.all_metrics(a, b)
    np.testing.assert_allclose(values["l1"][0], np.abs(clean - noisy).mean(), rtol=1e-4)
    np.testing.assert_allclose(values["l2"][0], ((clean - noisy) ** 2).mean(), rtol=1e-4)
    assert set(values) == {"psnr", "ssim", "l1", "l2"}


def test_hole_metrics_against_numpy_and_skimage():
    clean, noisy, a, b = fixed_pair()
    mask = np.zeros((64, 64, 1), np.float32)
    mask[16:48, 8:40] = 1.0
    completed = noisy * mask + clean * (1 - mask)  # known pixels exact, as after pasting
    values = metrics.all_metrics(a, (completed * 2 - 1)[np.newaxis].astype(np.float32),
                                 mask[np.newaxis])
    hole = mask[..., 0] > 0
    squared = ((clean - completed) ** 2)[hole]  # (hole pixels, 3)
    np.testing.assert_allclose(values["hole_l1"][0], np.abs(clean - completed)[hole].mean(),
                               rtol=1e-4)
    np.testing.assert_allclose(values["hole_l2"][0], squared.mean(), rtol=1e-4)
    np.testing.assert_allclose(values["hole_psnr"][0], 10 * np.log10(1 / squared.mean()),
                               rtol=1e-4)
    # whole PSNR = hole PSNR - 10 log10(hole fraction)
    np.testing.assert_allclose(values["psnr"][0] - values["hole_psnr"][0],
                               -10 * np.log10(hole.mean()), rtol=1e-4)
    _, ssim_map = skimage.metrics.structural_similarity(
        clean, completed, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
        data_range=1.0, channel_axis=-1, full=True)  # (64,64,3), valid where 5 <= i < 59
    inside = hole[5:-5, 5:-5]
    expected = ssim_map[5:-5, 5:-5][inside].mean()
    np.testing.assert_allclose(values["hole_ssim"][0], expected, atol=2e-3)
    assert values["hole_ssim"][0] < values["ssim"][0]
