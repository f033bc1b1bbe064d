"""Latency of the browser demo's API (benchmarks/serving.py --demo): one 512x512 completion and
one 16-sample generation through the demo server (HTTP, gradio_client) against a direct call of
the same SavedModel signature (`with_layout`, the one the server calls) in this process.

Shape letters: N samples, Z noise size, K classes, S image side.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(dirs, log_path, timeout=600):
    """`python -m experiments.demo` on the exports, on a free local port; returns (process,
    url) once it serves."""
    port = _free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "experiments.demo", f"--inpaint_export={dirs['inpainting']}",
             f"--cgan_export={dirs['cgan']}", f"--port={port}", "--max_samples=16"],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1"))
    deadline = time.time() + timeout
    while "serving the demo" not in open(log_path).read():
        if process.poll() is not None or time.time() > deadline:
            process.kill()
            raise RuntimeError(f"demo server did not start: {open(log_path).read()[-2000:]}")
        time.sleep(0.5)
    return process, f"http://127.0.0.1:{port}/"


def _timed(function, calls):
    function()  # warm-up (tracing, first allocation)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return {"calls": calls, "p50_ms": 1000 * statistics.median(times),
            "max_ms": 1000 * max(times)}


def measure(dirs, size, samples, calls):
    """Rows {case, path, calls, p50_ms, max_ms} for the direct and the server calls."""
    import numpy as np  # noqa: PLC0415
    import tensorflow as tf  # noqa: PLC0415
    from gradio_client import Client, handle_file  # noqa: PLC0415
    from PIL import Image  # noqa: PLC0415

    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
    mask = np.zeros((size, size), np.uint8)
    mask[size // 4:3 * size // 4, size // 4:3 * size // 4] = 255
    inpaint = tf.saved_model.load(dirs["inpainting"]).signatures["with_layout"]
    cgan = tf.saved_model.load(dirs["cgan"]).signatures["with_layout"]
    z_dim = cgan.structured_input_signature[1]["z"].shape[1]
    classes = cgan.structured_input_signature[1]["class_weights"].shape[1]
    weights = np.eye(classes, dtype=np.float32)[np.zeros(samples, int)]
    rows = [
        dict(case=f"completion_{size}x{size}", path="direct SavedModel", **_timed(
            lambda: inpaint(images=tf.constant(image[None].astype(np.float32)),
                            masks=tf.constant((mask > 0).astype(np.float32)[None, ..., None])),
            calls)),
        dict(case=f"generation_{samples}", path="direct SavedModel", **_timed(
            lambda: cgan(z=tf.constant(rng.standard_normal((samples, z_dim), np.float32)),
                         class_weights=tf.constant(weights)), calls))]
    with tempfile.TemporaryDirectory() as scratch:
        Image.fromarray(image).save(os.path.join(scratch, "image.png"))
        Image.fromarray(mask).save(os.path.join(scratch, "mask.png"))
        class_name = _first_class(dirs["cgan"])
        process, url = start_server(dirs, os.path.join(scratch, "server.log"))
        try:
            # download_files=False: the result files stay on the server as URLs (the page's
            # case); True: gradio_client also fetches every result file (one request each).
            for download in (False, True):
                client = Client(url, verbose=False, download_files=(
                    os.path.join(scratch, "out") if download else False))
                path = "demo server (HTTP)" + (" + file downloads" if download else "")
                rows.append(dict(case=f"completion_{size}x{size}", path=path,
                                 **_timed(lambda: client.predict(
                                     handle_file(os.path.join(scratch, "image.png")),
                                     handle_file(os.path.join(scratch, "mask.png")),
                                     api_name="/inpaint"), calls)))
                rows.append(dict(case=f"generation_{samples}", path=path,
                                 **_timed(lambda: client.predict(
                                     class_name, 0, samples, 0.0, api_name="/generate"), calls)))
        finally:
            process.terminate()
            process.wait(timeout=60)
    return rows


def _first_class(cgan_dir):
    import tensorflow as tf  # noqa: PLC0415
    names = tf.saved_model.load(cgan_dir).signatures["class_names"]()["class_names"].numpy()
    return names[0].decode()
