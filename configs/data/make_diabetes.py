#!/usr/bin/env python3
"""Writes configs/data/diabetes and diabetes.t (LIBSVM, real labels) from the diabetes data set
that Debian's python3-sklearn package ships (Efron, Hastie, Johnstone and Tibshirani, "Least Angle
Regression", 2004: 442 patients, 10 baseline variables, a measure of disease progression).

Only the raw CSV files are read (sklearn itself is not imported):
  apt-get download python3-sklearn && dpkg -x python3-sklearn_*.deb pkg
  configs/data/make_diabetes.py pkg/usr/lib/python3/dist-packages/sklearn/datasets/data

Each feature is standardised (mean 0, standard deviation 1 over all 442 rows), then every value is
divided by the largest row norm, so that ||a_i|| <= 1 as the decay rate assumes without distorting
rows one by one (data.normalize = l2 would). The target is standardised the same way (mean 0,
standard deviation 1), so a model without intercept fits it. Every fifth row (i % 5 == 4) is the
test set: 354 training rows, 88 test rows.
"""
import gzip
import math
import pathlib
import sys


def read(path):
    with gzip.open(path, "rt") as text:
        return [[float(value) for value in line.split()] for line in text if line.strip()]


def standardised(column):
    mean = sum(column) / len(column)
    deviation = math.sqrt(sum((value - mean) ** 2 for value in column) / len(column))
    return [(value - mean) / deviation for value in column]


def main():
    source = pathlib.Path(sys.argv[1])
    features = read(source / "diabetes_data_raw.csv.gz")
    target = [row[0] for row in read(source / "diabetes_target.csv.gz")]
    assert len(features) == len(target) == 442
    columns = [standardised(list(column)) for column in zip(*features)]
    rows = list(zip(*columns))
    largest = max(math.sqrt(sum(value * value for value in row)) for row in rows)
    labels = standardised(target)
    out = pathlib.Path(__file__).resolve().parent
    with open(out / "diabetes", "w") as train, open(out / "diabetes.t", "w") as test:
        for i, (row, label) in enumerate(zip(rows, labels)):
            values = " ".join(f"{j + 1}:{value / largest:.10g}" for j, value in enumerate(row))
            (test if i % 5 == 4 else train).write(f"{label:.10g} {values}\n")


if __name__ == "__main__":
    main()
