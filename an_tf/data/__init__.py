"""tf.data sources of an_tf: the cGAN's data sources (`source.DataSource`, one class per dataset:
ImageNet through tfds, the built-in synthetic shapes, labelled image folders, any tfds image
classification dataset), hole masks, the one image-folder scanner, Paris StreetView and the
package's own photos (inpainting).

Images are float32 in [-1, 1], NHWC; hole masks float32 {0, 1}, (B, H, W, 1), 1 = missing.
"""

from an_tf.data import image_folder
from an_tf.data import imagenet
from an_tf.data import labelled_folder
from an_tf.data import masks
from an_tf.data import package_photos
from an_tf.data import paris_streetview
from an_tf.data import source
from an_tf.data import square_crops
from an_tf.data import synthetic_shapes
from an_tf.data import tfds_classification

__all__ = ["image_folder", "imagenet", "labelled_folder", "masks", "package_photos",
           "paris_streetview", "source", "square_crops", "synthetic_shapes", "tfds_classification"]
