"""The inpainting experiment of Wang et al., "Attentive Normalization for Conditional Image
Generation", CVPR 2020, as functions of a plain config: the model builder, the dataset factory, the
sample pictures, the evaluation and the export that `an_tf.training.run_training` takes.

Shape letters: B batch, H height, W width, n entities.
"""

import dataclasses

import keras
import numpy as np

from an_tf import training
from an_tf.inpainting import critics
from an_tf.inpainting import data_pipeline
from an_tf.inpainting import evaluation
from an_tf.inpainting import export
from an_tf.inpainting import inference
from an_tf.inpainting.generator import InpaintingGenerator
from an_tf.inpainting.model import InpaintingGAN
from an_tf.training import run_dir


@dataclasses.dataclass(frozen=True)
class InpaintingConfig:
    """Everything of an inpainting run except the shared training settings.

    See `experiments/inpaint.py` for the meaning of each field; the defaults are the paper's
    Paris StreetView setting.
    """

    dataset: str = "package_photos"
    manual_dir: str | None = None
    image_folder: str | None = None
    image_size: int = 256
    load_size: int = 0
    photo_shorter_side: int = 0
    photo_subset: str = "all"
    max_crop_scale: float = 1.0
    mask_type: str = "rect"
    box_size: int = 128
    max_shrink: int = 16
    channels: int = 32
    attention: str = "an"
    elu_after_an: bool = False
    num_entities: int = 16
    an_temperature: float = 10.0
    orthogonal_weight: float = 1e-3
    an_variant: str = "paper"
    ones_channel: bool = False
    stage2_input: str = "paste"
    max_dilation: int = 0
    pretrain_steps: int = 0
    critic_channels: int = 64
    critic_steps: int = 5
    gp_weight: float = 10.0
    adversarial_weight: float = 1e-3
    l1_weight: float = 1.2
    ae_weight: float = 1.2
    coarse_weight: float = 1.2
    discount_gamma: float = 0.99
    g_learning_rate: float = 1e-4
    d_learning_rate: float = 1e-4
    beta_1: float = 0.5
    beta_2: float = 0.9
    num_samples: int = 4
    eval_crops_per_image: int = 1
    eval_scenes: int = 32

    @classmethod
    def from_dict(cls, values):
        """The config from a dict of flags (unknown keys, e.g. training flags, are ignored)."""
        names = {field.name for field in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in names})


def build_generator(config, seed=None):
    return InpaintingGenerator(
        channels=config.channels, attention=config.attention, elu_after_an=config.elu_after_an,
        num_entities=config.num_entities,
        an_options={"temperature": config.an_temperature,
                    "orthogonal_weight": config.orthogonal_weight, "variant": config.an_variant},
        ones_channel=config.ones_channel, seed=seed, stage2_input=config.stage2_input,
        max_dilation=config.max_dilation, name="generator")


def build_model(config, seed=0):
    """Generator, critics (patch critic for free-form masks), compiled with Adam, fully built."""
    local = critics.PatchCritic if config.mask_type == "free_form" else critics.LocalCritic
    model = InpaintingGAN(
        build_generator(config, seed), critics.GlobalCritic(config.critic_channels),
        local(config.critic_channels), box_size=config.box_size,
        critic_steps=config.critic_steps, gp_weight=config.gp_weight,
        adversarial_weight=config.adversarial_weight, l1_weight=config.l1_weight,
        ae_weight=config.ae_weight, coarse_weight=config.coarse_weight,
        discount_gamma=config.discount_gamma, seed=seed, pretrain_steps=config.pretrain_steps)
    model.compile(
        g_optimizer=keras.optimizers.Adam(config.g_learning_rate, config.beta_1, config.beta_2),
        d_optimizer=keras.optimizers.Adam(config.d_learning_rate, config.beta_1, config.beta_2))
    model.build_networks(config.image_size, config.image_size)
    return model


def source_records(config, split):
    return data_pipeline.source_records(
        config.dataset, split, manual_dir=config.manual_dir, folder=config.image_folder,
        photo_shorter_side=config.photo_shorter_side or None, photo_subset=config.photo_subset)


def make_dataset_fn(config, batch_size, seed=0):
    """fn(input_context, start_step=0) -> infinite per-replica training batches positioned at
    training step `start_step` (nothing before it is produced), for `run_training`."""
    records = {}

    def make_dataset(input_context, start_step=0):
        if config.dataset == "procedural_scenes":
            return data_pipeline.scene_train_dataset(
                batch_size, config.image_size, config.mask_type, config.box_size,
                config.max_shrink, seed, input_context, start_step)
        if "train" not in records:  # read once, at the first call (after device setup)
            records["train"] = source_records(config, "train")
        return data_pipeline.train_dataset(
            records["train"], batch_size, config.image_size, config.mask_type, config.box_size,
            config.max_shrink, config.load_size or None, seed, input_context, start_step,
            config.max_crop_scale)

    return make_dataset


def eval_crop_scale(config):
    """Evaluation crops are taken at the mean scale of the training crops."""
    return (1.0 + max(config.max_crop_scale, 1.0)) / 2.0


def eval_batches(config, batch_size, mask_type="center", split="eval", seed=0):
    """Finite evaluation batches (centre crops; centred-box or fixed-seed free-form masks) of the
    held-out images (split="train": of the training images, to measure the generalization gap;
    `seed`, the run's, selects the training stream of procedural scenes)."""
    if config.dataset == "procedural_scenes":
        return data_pipeline.scene_eval_dataset(batch_size, config.image_size,
                                                config.eval_scenes, mask_type, config.box_size,
                                                split, seed)
    return data_pipeline.eval_dataset(
        data_pipeline.source_images(source_records(config, split)), batch_size,
        config.image_size, mask_type, config.box_size, config.load_size or None,
        config.eval_crops_per_image, crop_scale=eval_crop_scale(config))


def sample_pictures(generator, batch):
    """Pictures of one batch: input (holes white), coarse, refined, completed, and a table with
    one row per example; for attention="an" also AN's layout (argmax colours and every entity)."""
    images, masks = batch["images"], batch["masks"]
    with_layout = getattr(generator, "attention", None) == "an"
    outputs = inference.complete(generator, images, masks, return_layout=with_layout)
    layout = outputs.pop("layout", None)
    pictures = {"input": images * (1.0 - masks) + masks, **outputs}
    pictures = {name: np.asarray(value) for name, value in pictures.items()}
    pictures["comparison"] = np.stack(
        [pictures[name] for name in ("input", "coarse", "refined", "completed")]
        + [np.asarray(images)], axis=1)  # (B,5,H,W,3)
    if with_layout:
        # The layout is at 1/4 resolution: shown at the image's size (nearest neighbour).
        scale = images.shape[1] // layout.shape[1]
        layout = np.repeat(np.repeat(np.asarray(layout), scale, axis=1), scale, axis=2)
        layout_pictures = training.layout_pictures(layout)  # (B,H,W,n) -> pictures
        pictures["layout_argmax"] = layout_pictures["argmax"]
        entities = layout_pictures["entities"]
        pictures["layout_entities"] = entities.reshape(
            (layout.shape[0], layout.shape[-1]) + entities.shape[1:])  # (B,n,H,W,3)
    return pictures


def eval_mask_type(config):
    """The held-out masks of a run's pictures and evaluation during training: fixed-seed
    free-form masks for a free-form run, else the centred box."""
    return "free_form" if config.mask_type == "free_form" else "center"


def make_sample_fn(config):
    """fn(model, step) -> pictures of a fixed evaluation batch, for `run_training`.

    The batch is read at the first call: no TF op may run before `run_training` has configured
    the devices.
    """
    cache = {}

    def sample_fn(model, step):
        del step  # the same batch at every step, to compare pictures across steps
        if "batch" not in cache:
            cache["batch"] = next(iter(eval_batches(config, config.num_samples,
                                                    eval_mask_type(config))))
        return sample_pictures(model.generator, cache["batch"])

    return sample_fn


def make_evaluate_fn(config, batch_size, seed=0, best_metric=None):
    """`run_training`'s evaluate_fn: PSNR, SSIM, L1, L2 (whole image and hole, refined and
    coarse) on the held-out images (procedural scenes: the --eval_scenes of the held-out stream;
    else the eval split) with `eval_mask_type` masks; the best checkpoint by `best_metric`
    (default "psnr"). See `evaluation.InpaintingEvaluator`."""
    return evaluation.InpaintingEvaluator(
        lambda: eval_batches(config, batch_size, eval_mask_type(config), "eval", seed),
        best_metric)


def export_fn(model, export_dir):
    export.export_generator(model.generator, export_dir)


def load_config(workdir):
    """(InpaintingConfig, training seed, mixed-precision policy or None) of a run, from
    <workdir>/config.json."""
    settings = run_dir.read_settings(workdir)
    hparams = settings.get("hparams", settings)
    training_config = settings.get("training_config", {})
    seed = training_config.get("seed", hparams.get("seed", 0))
    return InpaintingConfig.from_dict(hparams), seed, training_config.get("mixed_precision")


def restore_generator(workdir, checkpoint="latest"):
    """Builds the run's model from its config.json, loads a checkpoint (`checkpoint`: "latest",
    "best" or a step number, as `training.restore_model_for_export`), returns
    (float32 generator, config, step).

    The model is built under the run's dtype policy, so that a mixed_float16 checkpoint (whose
    optimizers are LossScaleOptimizers) matches; its weights are then copied into a float32
    generator.
    """
    config, seed, policy = load_config(workdir)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy or "float32")
    try:
        model = build_model(config, seed)
        step = training.restore_model_for_export(workdir, model, checkpoint=checkpoint)
    finally:
        keras.config.set_dtype_policy(previous)
    generator = model.generator
    if policy:
        generator = build_generator(config, seed)
        size = 2 * generator.size_multiple
        generator((keras.ops.zeros((1, size, size, 3)), keras.ops.zeros((1, size, size, 1))))
        generator.set_weights(model.generator.get_weights())
    return generator, config, step


def export_run(workdir, export_dir, checkpoint="latest"):
    """Exports the generator of checkpoint `checkpoint` ("latest", "best" or a step) of the run
    in `workdir` to `export_dir` (replaced), as `export.export_generator`; returns the step.
    Used by experiments/export_inpaint.py and the demo's --inpaint_workdir."""
    generator, _, step = restore_generator(workdir, checkpoint=checkpoint)
    export.export_generator(generator, export_dir)
    return step
