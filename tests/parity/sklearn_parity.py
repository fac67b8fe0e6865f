"""Generates joined rows and scikit-learn's metrics on them, for accuracy_parity.

For each task a model is trained on a dataset scikit-learn ships, predicts every
row, and this writes <task>.predictions.jsonl (what the proxy would store),
<task>.labels.jsonl (the ground truth, shuffled, as it would be posted) and
<task>.expected.json (sklearn.metrics on exactly those rows).
Usage: python sklearn_parity.py OUTDIR
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn import datasets, metrics
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

T0 = 1_800_000_000_000  # ms; predictions one second apart from here


def write_rows(out, task, ids, values, scores, labels, rng):
    with open(os.path.join(out, f"{task}.predictions.jsonl"), "w") as f:
        for i, pid in enumerate(ids):
            row = {"id": pid, "time": T0 + 1000 * i, "value": float(values[i])}
            if scores is not None:
                row["scores"] = [float(s) for s in scores[i]]
            f.write(json.dumps(row) + "\n")
    order = rng.permutation(len(ids))
    with open(os.path.join(out, f"{task}.labels.jsonl"), "w") as f:
        for i in order:
            label = labels[i]
            f.write(json.dumps({"id": ids[i], "label": float(label) if task == "regression"
                                else int(label)}) + "\n")


def classification(out, task, X, y, rng):
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, C=0.5))
    # Trained on half, so the other half's predictions make mistakes worth measuring.
    half = rng.permutation(len(y))[: len(y) // 2]
    model.fit(X[half], y[half])
    proba = model.predict_proba(X)
    ids = [f"{task}-{i}" for i in range(len(y))]
    if task == "binary-classification":
        p1 = proba[:, 1]
        y_pred = (p1 >= 0.5).astype(int)
        write_rows(out, task, ids, y_pred, p1[:, None], y, rng)
        expected = {
            "accuracy": metrics.accuracy_score(y, y_pred),
            "precision": metrics.precision_score(y, y_pred),
            "recall": metrics.recall_score(y, y_pred),
            "f1": metrics.f1_score(y, y_pred),
            "auc_roc": metrics.roc_auc_score(y, p1),
            "log_loss": metrics.log_loss(y, p1),
        }
    else:
        y_pred = proba.argmax(axis=1)
        write_rows(out, task, ids, y_pred, proba, y, rng)
        expected = {
            "accuracy": metrics.accuracy_score(y, y_pred),
            "auc_roc": metrics.roc_auc_score(y, proba, multi_class="ovr", average="macro"),
            "log_loss": metrics.log_loss(y, proba),
        }
    # zero_division=np.nan: an undefined class is left out of the average, as the
    # sidecar does (docs/accuracy.md); on these data every class is defined.
    for avg in ("macro", "micro"):
        expected[f"precision_{avg}"] = metrics.precision_score(y, y_pred, average=avg,
                                                               zero_division=np.nan)
        expected[f"recall_{avg}"] = metrics.recall_score(y, y_pred, average=avg,
                                                         zero_division=np.nan)
        expected[f"f1_{avg}"] = metrics.f1_score(y, y_pred, average=avg, zero_division=np.nan)
    return expected


def regression(out, X, y, rng):
    half = rng.permutation(len(y))[: len(y) // 2]
    model = Ridge(alpha=1.0).fit(X[half], y[half])
    y_pred = model.predict(X)
    ids = [f"regression-{i}" for i in range(len(y))]
    write_rows(out, "regression", ids, y_pred, None, y, rng)
    return {
        "mae": metrics.mean_absolute_error(y, y_pred),
        "rmse": metrics.root_mean_squared_error(y, y_pred),
        "mape": metrics.mean_absolute_percentage_error(y, y_pred),
        "r2": metrics.r2_score(y, y_pred),
    }


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261122)
    cases = {
        "binary-classification": lambda: classification(
            out, "binary-classification", *datasets.load_breast_cancer(return_X_y=True), rng),
        "multiclass-classification": lambda: classification(
            out, "multiclass-classification", *datasets.load_digits(return_X_y=True), rng),
        "regression": lambda: regression(out, *datasets.load_diabetes(return_X_y=True), rng),
    }
    for task, make in cases.items():
        expected = {k: float(v) for k, v in make().items()}
        with open(os.path.join(out, f"{task}.expected.json"), "w") as f:
            json.dump({"sklearn": sklearn.__version__, "metrics": expected}, f, indent=1)
        print(f"{task}: {len(expected)} metrics from scikit-learn {sklearn.__version__}")


if __name__ == "__main__":
    main()
