"""The demo's data: a synthetic, fraud-like binary classification problem.

One seeded generator serves the trainer (train.py) and the traffic generator
(traffic.py), so the rows sent as traffic come from the same distribution the
model learned, and their true labels are known for the delayed label posts.
"""
import numpy as np
from sklearn.datasets import make_classification

N_FEATURES = 8
FRAUD_SHARE = 0.2  # positives; high enough that accuracy moves visibly when the model breaks


def dataset(n_rows: int, seed: int):
    """(X float32 [n, N_FEATURES], y int {0, 1}) drawn from one fixed problem."""
    X, y = make_classification(
        n_samples=n_rows, n_features=N_FEATURES, n_informative=5, n_redundant=2,
        weights=[1 - FRAUD_SHARE], class_sep=1.4, flip_y=0.01, random_state=seed)
    return X.astype(np.float32), y.astype(int)
