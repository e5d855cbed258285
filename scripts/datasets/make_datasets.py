"""Writes the built-in datasets (datasets/iris.csv, datasets/digits.csv) from the copies that
Debian's python3-sklearn package ships, so their origin is reproducible.

Run with Debian's interpreter:  /usr/bin/python3 scripts/datasets/make_datasets.py
"""
import csv
import os

from sklearn.datasets import load_digits, load_iris

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "datasets")


def write(name, header, rows):
    path = os.path.normpath(os.path.join(OUT, name))
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{path}: {len(rows)} rows x {len(header)} columns, {os.path.getsize(path)} bytes")


def main():
    iris = load_iris()
    # sklearn's feature names read "sepal length (cm)"; plain identifiers are easier to name in a model file.
    iris_header = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm", "species"]
    iris_rows = [[repr(float(v)) for v in x] + [iris.target_names[t]] for x, t in zip(iris.data, iris.target)]
    write("iris.csv", iris_header, iris_rows)

    digits = load_digits()
    # Pixels are whole numbers 0..16, row by row of the 8x8 image.
    digits_header = [f"r{r}c{c}" for r in range(8) for c in range(8)] + ["digit"]
    digits_rows = [[str(int(v)) for v in x] + [str(int(t))] for x, t in zip(digits.data, digits.target)]
    write("digits.csv", digits_header, digits_rows)


if __name__ == "__main__":
    main()
