#!/usr/bin/env python3
"""Trains the demo's two model revisions and writes them as MLServer model folders.

  v1  a good fraud classifier: gradient boosting on the true labels.
  v2  a bad one: the same model trained on shuffled labels (it learned nothing),
      served with 150 ms of extra latency per request.

Usage: train.py OUT_DIR   -> OUT_DIR/v1, OUT_DIR/v2 (model.joblib, model-settings.json),
                             OUT_DIR/traffic.npz (held-out rows and their labels)
Deterministic (seeded); prints each revision's accuracy on the held-out rows.
"""
import json
import os
import sys

import joblib
import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score, roc_auc_score

from fraud_data import dataset

REVISIONS = {"v1": {"shuffle_labels": False, "latency_ms": 0},
             "v2": {"shuffle_labels": True, "latency_ms": 150}}


def main(out_dir: str) -> None:
    X, y = dataset(6000, seed=7)
    X_train, y_train, X_test, y_test = X[:4000], y[:4000], X[4000:], y[4000:]
    for name, how in REVISIONS.items():
        labels = np.random.default_rng(11).permutation(y_train) if how["shuffle_labels"] else y_train
        model = GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=3)
        model.fit(X_train, labels)
        folder = os.path.join(out_dir, name)
        os.makedirs(folder, exist_ok=True)
        joblib.dump(model, os.path.join(folder, "model.joblib"))
        settings = {"name": "fraud", "implementation": "demo_runtime.DemoSKLearnModel",
                    "parameters": {"uri": "./model.joblib", "version": name,
                                   "extra": {"latency_ms": how["latency_ms"]}}}
        with open(os.path.join(folder, "model-settings.json"), "w") as f:
            json.dump(settings, f, indent=1)
        p = model.predict_proba(X_test)[:, 1]
        print(f"train: {name} accuracy {accuracy_score(y_test, p >= 0.5):.3f} "
              f"auc {roc_auc_score(y_test, p):.3f} extra latency {how['latency_ms']} ms")
    np.savez(os.path.join(out_dir, "traffic.npz"), X=X_test, y=y_test)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
