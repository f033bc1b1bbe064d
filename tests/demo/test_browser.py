"""The demo served for real (python -m experiments.demo on a free local port) and used from
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) and from gradio_client.

Skipped with the reason when gradio, playwright or chromium are missing, except in CI (CI set),
where that fails. AN_TF_DEMO_SCREENSHOTS=<dir> saves screenshots of both tabs (the README's, taken
with AN_TF_DEMO_EXPORTS=<dir with cgan/ and inpaint/> pointing at the demo runs' exports).
"""

import importlib.util
import io
import os
import re
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from tests.demo.conftest import real_export

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 180_000  # this 2-core machine may be shared


def missing_pieces():
    missing = [name for name in ("gradio", "gradio_client", "playwright")
               if importlib.util.find_spec(name) is None]
    if not os.path.exists(CHROMIUM):
        missing.append(CHROMIUM)
    return missing


@pytest.fixture(scope="module", autouse=True)
def require_browser_stack():
    missing = missing_pieces()
    if missing:
        message = (f"demo test needs {', '.join(missing)} (pip install -r requirements-demo.txt; "
                   "apt-get install chromium)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(exports, tmp_path_factory):
    """(url, the server's startup output) of `python -m experiments.demo` on the exports."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "experiments.demo", f"--inpaint_export={exports['inpaint']}",
             f"--cgan_export={exports['cgan']}", f"--port={port}", "--max_samples=16"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 300
        while "serving the demo" not in log_path.read_text():
            if process.poll() is not None or time.time() > deadline:
                pytest.fail(f"the demo server did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/", log_path.read_text()
    finally:
        process.terminate()
        process.wait(timeout=60)
    log = log_path.read_text()
    assert process.returncode == 0, log[-3000:]  # SIGTERM stops it cleanly
    assert "Traceback" not in log
    root = re.search(r"demo files in (\S+)", log).group(1)
    assert not os.path.exists(root)  # everything it wrote is gone


@pytest.fixture(scope="module")
def names(exports):
    """The cGAN export's class names."""
    import tensorflow as tf
    signature = tf.saved_model.load(exports["cgan"]).signatures["class_names"]
    return [name.decode() for name in signature()["class_names"].numpy()]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, server):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server[0])
    yield page
    page.close()


def screenshot(page, name, kind):
    """Saves a screenshot for the README when asked to, and only of a real (demo run's) model."""
    directory = os.environ.get("AN_TF_DEMO_SCREENSHOTS")
    if directory and real_export(kind):
        page.screenshot(path=os.path.join(directory, name), full_page=True)


def fetch_picture(page, locator):
    """The (H, W, 3) uint8 picture behind an <img> of the page, downloaded as the browser does."""
    return np.asarray(Image.open(io.BytesIO(page.request.get(locator.get_attribute("src")).body()))
                      .convert("RGB"))


def upload_into_the_editor(page, path, attempts=5):
    """Uploads as a person does: click the editor's "Upload an image", choose the file; repeated
    until the editor shows the image (a click while the page is still starting can be lost)."""
    page.wait_for_load_state("networkidle")
    prompt = page.locator("#editor").get_by_text("Upload an image")
    for _ in range(attempts):
        try:
            with page.expect_file_chooser(timeout=15_000) as chooser:
                prompt.click()
            chooser.value.set_files(str(path))
            prompt.wait_for(state="hidden", timeout=15_000)
            return
        except Exception:  # pylint: disable=broad-except  # playwright's TimeoutError
            continue
    pytest.fail("the image editor never showed the uploaded image")


def test_only_exported_models_are_loaded(server):
    packages = re.search(r"an_tf packages loaded: (.*)", server[1]).group(1).split(", ")
    assert "demo" in packages
    assert not {"cgan", "inpainting", "training"} & set(packages)


def test_paint_a_hole_and_complete_in_the_browser(page, tmp_path):
    photo = np.random.default_rng(0).integers(0, 256, (60, 80, 3), dtype=np.uint8)
    if real_export("inpaint"):  # a real model: a held-out scene of their domain
        from an_tf.demo.examples import write_examples
        photo = np.asarray(Image.open(write_examples(str(tmp_path / "examples"))[0]))
    size = photo.shape[:2]
    path = tmp_path / "photo.png"
    Image.fromarray(photo).save(path)
    upload_into_the_editor(page, path)
    canvas = page.locator("#editor canvas").first.bounding_box()
    middle_x, middle_y = canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2
    page.mouse.move(middle_x - 60, middle_y)  # one horizontal stroke through the middle
    page.mouse.down()
    page.mouse.move(middle_x + 60, middle_y)
    page.mouse.up()
    page.click("#complete")
    result = page.locator("#completed img")
    result.wait_for()
    completed = fetch_picture(page, result)
    assert completed.shape == photo.shape  # the upload's size
    changed = (completed != photo).any(-1)
    assert changed[size[0] // 2, size[1] // 2]  # the stroke's middle is filled in
    assert not changed[:4].any() and not changed[-4:].any()  # far from the stroke: the input's
    hole = fetch_picture(page, page.locator("#input_with_hole img"))
    assert (hole[changed] == 255).all()  # every changed pixel was in the painted hole
    assert page.locator("#download a").count() >= 1  # the completed image can be downloaded
    page.locator("#layout img").wait_for()
    screenshot(page, "demo_inpainting.png", "inpaint")


def test_generate_a_class_by_name_in_the_browser(page, names):
    page.get_by_role("tab", name="Generation").click()
    dropdown = page.locator("#class input")
    dropdown.click()
    dropdown.fill(names[2])
    page.get_by_role("option", name=names[2]).click()
    page.locator("#num_samples input[type=number]").fill("5")
    page.locator("#num_samples input[type=number]").press("Enter")
    page.click("#generate")
    thumbnails = page.locator("#samples .thumbnail-item img")
    thumbnails.nth(4).wait_for()
    assert thumbnails.count() == 5
    for index in range(5):
        assert fetch_picture(page, thumbnails.nth(index)).shape == (32, 32, 3)
    caption = page.locator("#samples").inner_text()
    assert f"{names[2]} #4" in caption
    assert page.locator("#sample_layouts .thumbnail-item img").count() == 5
    page.click("#interpolate")
    page.locator("#strip img").wait_for()
    screenshot(page, "demo_generation.png", "cgan")


def test_api_and_a_bad_upload_leaves_the_server_answering(server, names, tmp_path):
    from gradio_client import Client, handle_file
    client = Client(server[0], verbose=False, download_files=str(tmp_path / "downloads"))
    not_an_image = tmp_path / "notes.txt"
    not_an_image.write_text("not a picture")
    with pytest.raises(Exception, match="not an image"):
        client.predict(handle_file(str(not_an_image)), handle_file(str(not_an_image)),
                       api_name="/inpaint")
    photo = np.random.default_rng(1).integers(0, 256, (30, 41, 3), dtype=np.uint8)
    mask = np.zeros((30, 41), np.uint8)
    mask[8:20, 10:30] = 255
    Image.fromarray(photo).save(tmp_path / "photo.png")
    Image.fromarray(mask).save(tmp_path / "mask.png")
    outputs = client.predict(handle_file(str(tmp_path / "photo.png")),
                             handle_file(str(tmp_path / "mask.png")), api_name="/inpaint")
    completed = np.asarray(Image.open(outputs[3]).convert("RGB"))
    np.testing.assert_array_equal(completed[mask == 0], photo[mask == 0])
    samples, _ = client.predict(names[1], 7, 3, 0.0, api_name="/generate")
    assert len(samples) == 3 and samples[0]["caption"] == f"{names[1]} #0"
