"""Markdown tables of an evaluation's results, with the classes named (`class_names`: the run's
names, e.g. the image folder's subfolders; default "0", "1", ...)."""

# The paper's Table (ImageNet 128x128): FID, Intra-FID, IS.
PAPER_ROWS = (("SN-GAN (paper)", 27.62, 92.4, 36.80), ("SA-GAN (paper)", 18.65, 83.7, 52.52),
              ("AN (paper)", 17.84, 83.4, 46.57))


def _name(class_names, label):
    label = int(label)
    return class_names[label] if class_names and label < len(class_names) else str(label)


def per_class_table(per_class, title, class_names=None):
    """| class | <title> | rows of a {label (str or int): value} dict, in label order."""
    lines = [f"| class | {title} |", "| --- | --- |"]
    lines += [f"| {_name(class_names, label)} | {value:.4g} |"
              for label, value in sorted(per_class.items(), key=lambda item: int(item[0]))]
    return "\n".join(lines)


def inception_table(results, class_names=None, name="this run"):
    """The paper's layout (FID, Intra-FID, IS), the paper's rows first; then Intra-FID per
    class when computed."""
    lines = ["| model | FID | Intra-FID | IS |", "| --- | --- | --- | --- |"]
    lines += [f"| {row} | {fid:.2f} | {intra:.1f} | {score:.2f} |"
              for row, fid, intra, score in PAPER_ROWS]
    intra = results.get("intra_fid")
    lines.append(f"| {name} (step {results['step']}, {results['num_samples']} samples) | "
                 f"{results['fid']:.2f} | {'-' if intra is None else f'{intra:.1f}'} | "
                 f"{results['inception_score']:.2f} ± {results['inception_score_std']:.2f} |")
    if results.get("intra_fid_per_class"):
        lines += ["", per_class_table(results["intra_fid_per_class"], "Intra-FID", class_names)]
    return "\n".join(lines)


def classifier_table(results, class_names=None):
    """The download-free metrics: the classifier's held-out accuracy on real images first (how
    far to trust the rest), then metric | value, then intra-FD per class."""
    lines = []
    if results.get("classifier_accuracy") is not None:
        lines += [f"classifier held-out accuracy on real images: "
                  f"{results['classifier_accuracy']:.3f} (the scores below are only as "
                  f"meaningful as this)", ""]
    lines += ["| metric | value |", "| --- | --- |"]
    for name, value in results.items():
        if isinstance(value, dict):
            continue
        lines.append(f"| {name} | {value:.4g} |" if isinstance(value, float)
                     else f"| {name} | {value} |")
    if results.get("intra_fd_per_class"):
        lines += ["", per_class_table(results["intra_fd_per_class"], "intra-FD", class_names)]
    return "\n".join(lines)
