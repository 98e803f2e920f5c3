"""Build part 2's data files into source/cnn_application/datasets/ from data scikit-learn ships.

* ``train_digits.h5`` and ``test_digits.h5``: scikit-learn's handwritten digits (1,797
  images of 8x8 pixels, 10 classes), laid out like the original course's hand-sign
  files: ``train_set_x`` / ``test_set_x`` (uint8, shape (m, 8, 8, 1), 0 to 255),
  ``train_set_y`` / ``test_set_y`` (int64, shape (m,)) and ``list_classes`` (int64,
  0 to 9) in both. The split is fixed: a fifth of each class, drawn with a seeded
  generator, is the test set.
* ``china.png``: one of scikit-learn's two sample photographs, in grey and at half
  size (213x320), for the filters the students apply by hand.

Nothing is downloaded: scikit-learn carries both in its package files. It is a
build-time dependency (requirements-dev.txt); students get the files, not the package.
Run ``python -m course_tools.author.build_datasets`` (``make datasets``). The files are
committed, and a test rebuilds them and checks they are byte-for-byte the same.
"""
import sys
from pathlib import Path

import numpy as np

from course_tools.course import ROOT

DATASETS = ROOT / "source" / "cnn_application" / "datasets"
SEED = 20261126
TEST_FRACTION = 0.2
DIGIT_LEVELS = 16  # scikit-learn's digits count ink in 17 levels, 0 to 16


def split(labels, rng):
    """Indices of the training and test examples: TEST_FRACTION of each class to the test set, both shuffled."""
    train, test = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        cut = int(round(len(members) * TEST_FRACTION))
        test.extend(members[:cut])
        train.extend(members[cut:])
    return rng.permutation(train), rng.permutation(test)


def digits():
    """(images as uint8 of shape (m, 8, 8, 1) from 0 to 255, labels as int64)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    images = np.round(data.images * (255 / DIGIT_LEVELS)).astype(np.uint8)[..., np.newaxis]
    return images, data.target.astype(np.int64)


def write_h5(path, part, x, y, classes):
    import h5py

    # No timestamps in the objects' headers, so that a rebuild gives the same bytes.
    with h5py.File(path, "w", track_order=False) as f:
        f.create_dataset(f"{part}_set_x", data=x, track_times=False)
        f.create_dataset(f"{part}_set_y", data=y, track_times=False)
        f.create_dataset("list_classes", data=classes, track_times=False)


def photograph():
    """scikit-learn's china.jpg in grey (ITU-R 601 luma), every second row and column, as uint8."""
    from sklearn.datasets import load_sample_image

    rgb = load_sample_image("china.jpg").astype(np.float64)
    grey = rgb @ np.array([0.299, 0.587, 0.114])
    return np.round(grey[::2, ::2]).astype(np.uint8)


def write_png(path, grey):
    from PIL import Image

    Image.fromarray(grey, mode="L").save(path, format="PNG", optimize=False)


def build(folder=DATASETS):
    """Write every data file into `folder`; their names."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    images, labels = digits()
    train, test = split(labels, np.random.default_rng(SEED))
    classes = np.arange(10, dtype=np.int64)
    write_h5(folder / "train_digits.h5", "train", images[train], labels[train], classes)
    write_h5(folder / "test_digits.h5", "test", images[test], labels[test], classes)
    write_png(folder / "china.png", photograph())
    return ["train_digits.h5", "test_digits.h5", "china.png"]


def main():
    for name in build():
        print(f"wrote {(DATASETS / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
