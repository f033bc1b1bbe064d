"""Class-conditional batch normalization (de Vries et al. 2017; Miyato & Koyama 2018), the
normalization of the default residual block of the AN cGAN (Wang et al., "Attentive Normalization
for Conditional Image Generation", CVPR 2020, supplement Figure 1).

Shape letters: B batch, H height, W width, C channels.
"""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="an_tf")
class ConditionalBatchNormalization(keras.layers.Layer):
    """Batch normalization without its own affine, then a per-class gain and bias.

    y = BN(x) * gain[label] + bias[label]; the gain and bias tables are embeddings initialised to 1
    and 0, so the layer starts as plain batch normalization. The statistics are synchronized across
    replicas (`BatchNormalization(synchronized=True)`), so a replicated step normalizes with the
    statistics of the global batch, as on one device.

    The gain and bias tables are NOT spectrally normalized: spectral normalization divides a table
    of ones by its largest singular value sqrt(num_classes * C), which would start every gain near 0
    (the "gain starts at 0" bug the spec warns about). SA-GAN's code also keeps them plain.

    Args:
        num_classes: number of classes (rows of the gain and bias tables).
        momentum: momentum of the moving statistics.
        epsilon: added to the variance.
        synchronized: synchronize batch statistics across replicas.
        **kwargs: standard `keras.layers.Layer` arguments.

    Call arguments:
        x: (B, H, W, C) feature maps.
        labels: (B,) integer class labels, or (B, num_classes) float class weights: the gain and
            bias are then the weighted sums of the class rows (categorical interpolation).
        training: use batch statistics (True) or the moving statistics.

    Example:
        >>> cbn = ConditionalBatchNormalization(num_classes=10)
        >>> y = cbn(tf.random.normal([4, 8, 8, 16]), tf.constant([0, 1, 2, 3]), training=True)
    """

    def __init__(self, num_classes, momentum=0.9, epsilon=1e-5, synchronized=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.num_classes = num_classes
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.synchronized = bool(synchronized)
        self.batch_norm = keras.layers.BatchNormalization(
            momentum=self.momentum, epsilon=self.epsilon, center=False, scale=False,
            synchronized=self.synchronized, dtype=self.dtype_policy, name="batch_norm",
        )
        self.gain = None
        self.bias = None

    def build(self, input_shape):
        channels = int(input_shape[-1])
        # Sized by C, so created here (C is unknown in __init__).
        self.gain = keras.layers.Embedding(
            self.num_classes, channels, embeddings_initializer="ones",
            dtype=self.dtype_policy, name="gain",
        )
        self.bias = keras.layers.Embedding(
            self.num_classes, channels, embeddings_initializer="zeros",
            dtype=self.dtype_policy, name="bias",
        )
        self.batch_norm.build(input_shape)
        self.gain.build((None,))
        self.bias.build((None,))
        self.built = True

    def call(self, x, labels, training=None):
        normalized = self.batch_norm(x, training=training)  # (B,H,W,C)
        if len(labels.shape) == 2:  # class weights
            weights = tf.cast(labels, tf.float32)  # (B,K)
            gain = tf.matmul(weights, tf.cast(self.gain.embeddings, tf.float32))  # (B,C)
            bias = tf.matmul(weights, tf.cast(self.bias.embeddings, tf.float32))  # (B,C)
        else:
            labels = tf.cast(tf.reshape(labels, [-1]), "int32")  # (B,)
            gain, bias = self.gain(labels), self.bias(labels)  # (B,C) each
        gain = tf.cast(gain, normalized.dtype)[:, None, None, :]  # (B,1,1,C)
        bias = tf.cast(bias, normalized.dtype)[:, None, None, :]  # (B,1,1,C)
        return normalized * gain + bias

    def compute_output_spec(self, x, labels, training=None):
        return keras.KerasTensor(x.shape, dtype=self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update(
            num_classes=self.num_classes, momentum=self.momentum, epsilon=self.epsilon,
            synchronized=self.synchronized,
        )
        return config
