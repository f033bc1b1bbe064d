"""The gradio page of the demo: an inpainting tab and a generation tab over `Handlers`, and the
named API endpoints /inpaint, /generate and /interpolate (for gradio_client or HTTP)."""

import functools
import logging

import gradio as gr

from an_tf.demo.limits import DemoInputError

# Local fonts only: the default theme would ask Google Fonts, and this page must work offline.
THEME = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                          font_mono=["ui-monospace", "monospace"])


def page_errors(function):
    """Turns DemoInputError into a one-line gr.Error in the page; any other failure into a
    one-line gr.Error too (logged on the server), never a stack trace."""
    @functools.wraps(function)
    def wrapper(*args):
        try:
            return function(*args)
        except DemoInputError as error:
            raise gr.Error(str(error), print_exception=False) from None
        except Exception as error:  # pylint: disable=broad-except
            logging.exception("request failed")
            raise gr.Error(f"the request failed: {type(error).__name__}",
                           print_exception=False) from None
    return wrapper


def _image(label, **kwargs):
    return gr.Image(label=label, type="numpy", format="png", interactive=False,
                    buttons=["download", "fullscreen"], **kwargs)  # no "share" (needs the Hub)


def inpainting_tab(handlers, example_paths):
    """The inpainting tab; returns nothing (events are bound to `handlers`)."""
    with gr.Row():
        editor = gr.ImageEditor(
            label="Photo: paint the hole (brush size in the brush menu; eraser, undo, clear)",
            type="numpy", image_mode="RGBA", format="png", sources=["upload", "clipboard"],
            layers=False, transforms=(), elem_id="editor",
            brush=gr.Brush(colors=["#ff0000"], color_mode="fixed", default_size=12),
            eraser=gr.Eraser(default_size=12))
        with gr.Column(scale=0, min_width=220):
            box = gr.Button("Centred box mask", elem_id="box_mask")
            seed = gr.Number(0, label="Seed of the free-form mask", precision=0)
            strokes = gr.Button("Random free-form mask", elem_id="free_form_mask")
            run = gr.Button("Complete", variant="primary", elem_id="complete")
            note = gr.Markdown(elem_id="note")
            download = gr.File(label="Download the completed image", elem_id="download")
    if example_paths:
        gr.Examples([[path] for path in example_paths], inputs=[editor],
                    label="Built-in examples (held-out procedural scenes and package photos)")
    with gr.Row():
        shown = _image("Input with its hole", elem_id="input_with_hole")
        coarse = _image("Coarse result")
        refined = _image("Refined result")
        completed = _image("Completed", elem_id="completed")
    with gr.Row():
        layout = _image("AN layout (argmax entity over the completed image)", elem_id="layout")
        entities = gr.Gallery(label="AN layout: one map per entity", format="png", columns=4,
                              elem_id="entities")
    outputs = [shown, coarse, refined, completed, layout, entities, download, note]
    box.click(page_errors(lambda value: handlers.mask_value(value, "box")), [editor], [editor],
              api_visibility="undocumented")
    strokes.click(page_errors(lambda value, s: handlers.mask_value(value, "free_form", s)),
                  [editor, seed], [editor], api_visibility="undocumented")
    run.click(page_errors(handlers.complete_editor), [editor], outputs, api_name="complete",
              api_visibility="undocumented")
    with gr.Row(visible=False):  # the API's inputs: two files, decoded by the demo's checks
        image_file = gr.File(label="image", type="filepath")
        mask_file = gr.File(label="mask", type="filepath")
        api_run = gr.Button("inpaint")
    api_run.click(page_errors(handlers.complete_files), [image_file, mask_file], outputs,
                  api_name="inpaint",
                  api_description="Completes an image: image file + mask file (white = hole).")


def generation_tab(handlers, class_names, max_samples):
    """The generation tab: samples of a class with their layouts, and the interpolation."""
    with gr.Row():
        name = gr.Dropdown(class_names, value=class_names[0], label="Class", elem_id="class")
        seed = gr.Number(0, label="Seed", precision=0, elem_id="seed")
        count = gr.Slider(1, max_samples, value=min(8, max_samples), step=1,
                          label="Number of samples", elem_id="num_samples")
        truncation = gr.Slider(0.0, 2.0, value=0.0, step=0.1, elem_id="truncation",
                               label="Truncation of z (0 = off, as in the paper)")
    generate = gr.Button("Generate", variant="primary", elem_id="generate")
    with gr.Row():
        samples = gr.Gallery(label="Samples", format="png", columns=8, elem_id="samples")
        layouts = gr.Gallery(label="AN layout of each sample (argmax entity)", format="png",
                             columns=8, elem_id="sample_layouts")
    generate.click(page_errors(handlers.generate), [name, seed, count, truncation],
                   [samples, layouts], api_name="generate")
    gr.Markdown("**Categorical interpolation** (supplement Figure 9): one noise vector, the "
                "class weights going from the first class to the second.")
    with gr.Row():
        first = gr.Dropdown(class_names, value=class_names[0], label="From class")
        second = gr.Dropdown(class_names, value=class_names[-1], label="To class")
        steps = gr.Slider(2, max_samples, value=min(8, max_samples), step=1, label="Steps")
        interpolate = gr.Button("Interpolate", elem_id="interpolate")
    strip = _image("Interpolation", elem_id="strip")
    layout_strip = _image("AN layouts along the interpolation")
    interpolate.click(page_errors(handlers.interpolate), [first, second, seed, steps],
                      [strip, layout_strip], api_name="interpolate")


def build_demo(handlers, example_paths=()):
    """The gr.Blocks page over `handlers` (an_tf.demo.handlers.Handlers), queued with the
    limits' concurrency."""
    with gr.Blocks(title="Attentive Normalization demo") as demo:
        gr.Markdown("# Attentive Normalization (CVPR 2020): inpainting and generation")
        with gr.Tabs():
            if handlers.inpainting is not None:
                with gr.Tab("Inpainting", id="inpainting"):
                    inpainting_tab(handlers, example_paths)
            if handlers.generation is not None:
                with gr.Tab("Generation", id="generation"):
                    generation_tab(handlers, handlers.generation.class_names,
                                   handlers.limits.max_samples)
    demo.queue(default_concurrency_limit=handlers.limits.max_concurrency, max_size=32)
    return demo


def launch(demo, host, port, limits, block=True):
    """Serves the page (no share link, no analytics, errors as one line, uploads limited)."""
    return demo.launch(server_name=host, server_port=port, share=False, show_error=True,
                       max_file_size=int(limits.max_upload_mb * 1e6), ssr_mode=False,
                       theme=THEME, quiet=True, prevent_thread_lock=not block, pwa=False)
