#!/usr/bin/env python3
"""Writes configs/data/digits and digits.t (LIBSVM, class labels 0-9) from the optical digits
data set that Debian's python3-sklearn package ships (UCI "Optical Recognition of Handwritten
Digits", the 1797 8x8 test images of Alpaydin and Kaynak: 64 pixels with values 0..16, and the
digit shown).

Only the raw CSV file is read (sklearn itself is not imported):
  apt-get download python3-sklearn && dpkg -x python3-sklearn_*.deb pkg
  configs/data/make_digits.py pkg/usr/lib/python3/dist-packages/sklearn/datasets/data

Each pixel is divided by 16 (values in [0, 1]); zero pixels are left out, as LIBSVM does, so the
rows are sparse (about half of the 64 pixels are 0). Rows keep their norms: configs that follow
the paper's decay rate set data.normalize = l2. Every fifth row (i % 5 == 4) is the test set:
1438 training rows, 359 test rows.
"""
import gzip
import pathlib
import sys


def main():
    source = pathlib.Path(sys.argv[1])
    with gzip.open(source / "digits.csv.gz", "rt") as text:
        rows = [[int(value) for value in line.split(",")] for line in text if line.strip()]
    assert len(rows) == 1797 and all(len(row) == 65 for row in rows)
    out = pathlib.Path(__file__).resolve().parent
    with open(out / "digits", "w") as train, open(out / "digits.t", "w") as test:
        for i, row in enumerate(rows):
            pixels, label = row[:64], row[64]
            values = " ".join(f"{j + 1}:{value / 16:.10g}" for j, value in enumerate(pixels) if value)
            (test if i % 5 == 4 else train).write(f"{label} {values}\n")


if __name__ == "__main__":
    main()
