"""Packaging for an_tf: Attentive Normalization (Wang et al., CVPR 2020) in TensorFlow 2 / Keras 3."""

from setuptools import find_packages, setup

setup(
    name="an_tf",
    version="0.1.0",
    description=(
        "Attentive Normalization for Conditional Image Generation (CVPR 2020) in "
        "TensorFlow 2 / Keras 3: the AN layer, class-conditional GAN and inpainting pipelines."
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["an_tf", "an_tf.*", "experiments", "experiments.*"]),
    package_data={"experiments": ["configs/*.cfg"]},
    # TensorFlow itself comes from an extra, because the CPU, GPU and TPU builds are different
    # distributions; requirements.txt pins the CPU build used by CI.
    install_requires=[
        "keras>=3.15,<4",
        "tensorflow-datasets>=4.9.10",
        "absl-py>=2.1",
        "numpy>=1.26",
        "pillow>=10",
        "scikit-image>=0.24",
        "scipy>=1.11",  # study statistics (Mann-Whitney U)
        "importlib_resources>=6",  # tensorflow-datasets needs it for custom builders
    ],
    extras_require={
        "cpu": ["tensorflow-cpu>=2.21,<2.22"],
        "gpu": ["tensorflow[and-cuda]>=2.21,<2.22"],
        "test": ["pytest>=8", "pytest-xdist>=3"],
        # The browser demo (experiments/demo.py); its tests also need Debian's chromium.
        "demo": ["gradio>=6.31,<7", "gradio_client>=2.7", "playwright>=1.65"],
        "study": ["matplotlib>=3.8"],  # the plots of an_tf/reports (per-seed, metrics curve)
    },
)
