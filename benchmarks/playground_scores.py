"""The book's chapter-4 challenge: least-squares bump heights for N = 1..50 bumps, scored two ways.

Prints JSON with, for each N, the book's score of the least-squares heights (``book_score``: ideal steps,
Σ_j |σ⁻¹(f(x_j)) − h[⌊j·N/100⌋]| / 100 over x_j = j/100) and the real network's deviation
(``network_score``: mean |σ⁻¹(f(x)) − weighted output| of the network [1, 2N, 1], w = 1000, b = −1000·s,
output weights ±h, output bias 0, evaluated by the engine); the 5-bump verdict as the book prints it
("Success!" below 0.405); and what gradient descent on h reaches.

    python benchmarks/playground_scores.py
"""

import json
import time

import numpy as np

from nndl_gui.engine import approx as A


def main() -> None:
    t0 = time.perf_counter()
    table = A.score_table(range(1, A.MAX_BUMPS + 1))
    book = A.book_score_table(range(1, A.MAX_BUMPS + 1))
    lsq_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    records = list(A.train_heights(np.zeros(5), eta=2.0, steps=2000))
    gd_seconds = time.perf_counter() - t0
    out = {
        "target": A.TARGET_KINDS["book"],
        "book_score": "Σ_j |σ⁻¹(f(x_j)) − h[⌊j·N/100⌋]| / 100, x_j = j/100 (ideal steps, as the book's widget)",
        "network_score": "mean |σ⁻¹(f(x)) − weighted output of the w = 1000 network| over x = 0, 0.01, ..., 0.99",
        "least_squares_by_bumps": {str(n): {"book_score": round(book[n], 4), "network_score": round(table[n], 4)}
                                   for n in table},
        "five_bumps": {"book_score": round(book[5], 4), "network_score": round(table[5], 4),
                       "book_shows": A.book_verdict(book[5])[0], "book_success_below": A.BOOK_SUCCESS_BELOW,
                       "success": A.book_verdict(book[5])[1]},
        "gradient_descent_5_bumps": {"eta": 2.0, "steps": 2000, "start_network_score": round(records[0].score, 4),
                                     "final_network_score": round(records[-1].score, 4),
                                     "final_book_score": round(A.book_score(records[-1].h), 4),
                                     "seconds": round(gd_seconds, 3)},
        "least_squares_all_50_fits_seconds": round(lsq_seconds, 3),
    }
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
