"""The book's chapter-4 challenge: least-squares bump heights for N = 1..50 bumps, scored as the book does.

Prints JSON: {N: score} where score = mean |σ⁻¹(f(x)) − weighted output| over x = 0, 0.01, …, 0.99 of the
network [1, 2N, 1] (w = 1000, b = −1000·s, output weights ±h, output bias 0) evaluated by the engine, plus
the 5-bump figure against the book's success threshold 0.40, and what gradient descent on h reaches.

    python benchmarks/playground_scores.py
"""

import json
import time

import numpy as np

from nndl_gui.engine import approx as A


def main() -> None:
    t0 = time.perf_counter()
    table = A.score_table(range(1, A.MAX_BUMPS + 1))
    lsq_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    records = list(A.train_heights(np.zeros(5), eta=2.0, steps=2000))
    gd_seconds = time.perf_counter() - t0
    out = {
        "target": A.TARGET_KINDS["book"],
        "score": "mean |σ⁻¹(f(x)) − weighted output| over x = 0, 0.01, ..., 0.99",
        "least_squares_score_by_bumps": {str(n): round(s, 4) for n, s in table.items()},
        "five_bumps": {"least_squares": round(table[5], 4), "book_success_threshold": A.SUCCESS_SCORE,
                       "success": table[5] <= A.SUCCESS_SCORE},
        "gradient_descent_5_bumps": {"eta": 2.0, "steps": 2000, "start_score": round(records[0].score, 4),
                                     "final_score": round(records[-1].score, 4),
                                     "seconds": round(gd_seconds, 3)},
        "least_squares_all_50_fits_seconds": round(lsq_seconds, 3),
    }
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
