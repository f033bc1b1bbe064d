"""A tiny regression model and dataset for testing the training machinery (not for the pipelines).

Shape letters: B batch, F input features.
"""

import keras
import numpy as np
import tensorflow as tf

from an_tf import training

FEATURES = 3
NUM_EXAMPLES = 32


class ToyRegressor(keras.Model):
    """Two Dense layers with a custom `train_step` following the team's loss-scaling rule.

    Args:
        hidden: width of the hidden layer.
        noise_stddev: stddev of Gaussian input noise drawn from the model's SeedGenerator in every
            step (exercises checkpointing of RNG state); 0 disables it.
        seed: initializer and noise seed.
    """

    def __init__(self, hidden=8, noise_stddev=0.0, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.noise_stddev = noise_stddev
        self.seed = seed
        self.hidden_layer = keras.layers.Dense(
            hidden, activation="tanh", name="hidden",
            kernel_initializer=keras.initializers.GlorotUniform(seed))
        self.output_layer = keras.layers.Dense(
            1, name="output", kernel_initializer=keras.initializers.GlorotUniform(seed + 1))
        self.noise_generator = keras.random.SeedGenerator(seed, name="noise")
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def call(self, x):
        return self.output_layer(self.hidden_layer(x))[:, 0]  # (B, F) -> (B,)

    def train_step(self, batch):
        x, y = batch  # (B, F), (B,)
        if self.noise_stddev:
            x = x + keras.random.normal(tf.shape(x), stddev=self.noise_stddev,
                                        seed=self.noise_generator)
        with tf.GradientTape() as tape:
            predictions = tf.cast(self(x, training=True), tf.float32)  # (B,), float32 under mixed
            replica_mean = tf.reduce_mean(tf.square(predictions - y))  # mean over B
            # Keras' optimizer sums gradients over replicas: scale by 1/replicas (CONTRACT).
            scaled = replica_mean / tf.distribute.get_strategy().num_replicas_in_sync
        gradients = tape.gradient(scaled, self.trainable_variables)
        self.optimizer.apply(gradients, self.trainable_variables)
        self.loss_tracker.update_state(replica_mean)
        return {"loss": replica_mean, "running_loss": self.loss_tracker.result()}


def build_toy_model(noise_stddev=0.0, learning_rate=0.05, built=True):
    """A compiled ToyRegressor with Adam; `built` also creates model and optimizer variables."""
    model = ToyRegressor(noise_stddev=noise_stddev)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    if built:
        model(tf.zeros((1, FEATURES)))
        model.optimizer.build(model.trainable_variables)
    return model


def toy_examples():
    """Fixed examples: x (N, F) float32 normal, y (N,) = sin of a projection of x."""
    rng = np.random.default_rng(1234)
    x = rng.normal(size=(NUM_EXAMPLES, FEATURES)).astype(np.float32)
    y = np.sin(x @ np.array([1.0, -2.0, 0.5], np.float32)).astype(np.float32)
    return x, y


def make_toy_dataset_fn(global_batch_size, seed=0):
    """A `make_dataset(input_context)` for run_training: shuffled, infinite, per-replica batches.

    Elements are batched to the per-replica size first and then sharded over input pipelines, so
    the global batch of step t is the same examples under any number of replicas.
    """
    x, y = toy_examples()

    def make_dataset(input_context):
        per_replica = input_context.get_per_replica_batch_size(global_batch_size)
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
        dataset = dataset.shuffle(NUM_EXAMPLES, seed=seed).repeat()  # reshuffled every epoch
        dataset = dataset.batch(per_replica, drop_remainder=True)
        return dataset.shard(input_context.num_input_pipelines, input_context.input_pipeline_id)

    return make_dataset


def model_state(model):
    """numpy copies of all model weights and optimizer variables, keyed by position and name
    (layer names differ between two instances in one process, positions do not)."""
    state = {f"model/{i}/{v.name}": np.array(v.numpy()) for i, v in enumerate(model.weights)}
    state.update({f"optimizer/{i}": np.array(v.numpy())
                  for i, v in enumerate(model.optimizer.variables)})
    return state


def run_toy_training(workdir, train_steps, strategy="default", noise_stddev=0.0, **overrides):
    """run_training of the toy model, global batch 4; returns (TrainResult, the model).

    Args:
        workdir: the run's directory.
        train_steps: steps to reach.
        strategy: strategy name.
        noise_stddev: input noise of the model (exercises the SeedGenerator state).
        **overrides: other TrainingConfig fields (default: checkpoints and summaries every 2 steps).
    """
    models = []

    def build_model():
        models.append(build_toy_model(noise_stddev=noise_stddev))
        return models[-1]

    settings = dict(checkpoint_every=2, summary_every=2, sample_every=100)
    settings.update(overrides)
    config = training.TrainingConfig(
        workdir=str(workdir), train_steps=train_steps, batch_size=4, strategy=strategy, **settings)
    result = training.run_training(config, build_model, make_toy_dataset_fn(4),
                                   hparams={"train_steps": train_steps})
    return result, models[-1]


def assert_same_state(model_a, model_b, rtol=0.0, atol=0.0):
    """Asserts equal weights and optimizer variables (exactly, by default)."""
    state_a, state_b = model_state(model_a), model_state(model_b)
    assert list(state_a) == list(state_b)
    for name in state_a:
        np.testing.assert_allclose(state_a[name], state_b[name], rtol=rtol, atol=atol, err_msg=name)
