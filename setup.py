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
    license="Apache-2.0",
    # POSIX only: the workdir lock uses fcntl. TensorFlow 2.21 has wheels for CPython 3.10-3.13.
    python_requires=">=3.10",
    classifiers=[
        "License :: OSI Approved :: Apache Software License",
        "Operating System :: POSIX :: Linux",
        "Operating System :: MacOS",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
    packages=find_packages(include=["an_tf", "an_tf.*", "experiments", "experiments.*"]),
    package_data={"experiments": ["configs/*.cfg"]},
    # TensorFlow is the `tensorflow` distribution: it runs on the CPU wherever TF 2.21 has a wheel
    # (Linux x86_64/aarch64, macOS arm64), and the `gpu` extra adds NVIDIA's CUDA libraries to that
    # same distribution (`tensorflow[and-cuda]`). The slimmer `tensorflow-cpu` is not the default:
    # it exists only for Linux x86_64 and Windows, and it is a second distribution providing the
    # same `tensorflow` module, so it cannot be combined with a GPU extra. requirements.txt pins
    # tensorflow-cpu for CI, with this package installed by `pip install -e . --no-deps`.
    install_requires=[
        "tensorflow>=2.21,<2.22",
        "keras>=3.15,<4",
        "tensorboard>=2.21",  # TF 2.21 no longer pulls it in; the runs write summaries for it
        "tensorflow-datasets>=4.9.10",
        "absl-py>=2.1",
        "numpy>=1.26",
        "pillow>=10,<13",  # gradio 6.31 (the demo extra) needs pillow<13
        "scikit-image>=0.24",
        "scipy>=1.11",  # study statistics (Mann-Whitney U)
        "matplotlib>=3.8",  # the study's per-seed plot
        "importlib_resources>=6",  # tensorflow-datasets needs it for custom builders
    ],
    extras_require={
        "gpu": ["tensorflow[and-cuda]>=2.21,<2.22"],  # the one GPU instruction: pip install -e ".[gpu]"
        "test": ["pytest>=8", "pytest-xdist>=3"],
        # The browser demo (experiments/demo.py); its tests also need Debian's chromium.
        "demo": ["gradio>=6.31,<7", "gradio_client>=2.7", "playwright>=1.65"],
        "notebooks": ["jupyter>=1"],
    },
)
