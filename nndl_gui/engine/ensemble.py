"""Chapter 6's ensembles: several trained networks vote, the majority decides.

The book trains five dropout networks and lets them vote: 99.67% (9,967 / 10,000 test images) where each
alone reaches about 99.60%.  ``vote(nets, images, labels)`` returns each member's answers, the majority
answer, its accuracy, and the images where the members disagree — the interesting ones to look at.

A tie (say 2–2–1) goes to the digit whose voters are the most confident: the summed output activations
a^L of the networks that voted for it break it.  Works for any networks with ``feedforward`` (chapter-6
ConvNets and the fully connected Network alike).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Vote:
    """The result of a vote over n images by k networks."""

    member_predictions: np.ndarray  # (k, n) each network's digit
    predictions: np.ndarray  # (n,) the majority's digit
    labels: np.ndarray | None  # (n,) the true digits, if given
    agreement: np.ndarray  # (n,) how many members voted for the winner

    @property
    def total(self) -> int:
        return self.predictions.shape[0]

    @property
    def correct(self) -> int | None:
        return None if self.labels is None else int(np.count_nonzero(self.predictions == self.labels))

    @property
    def accuracy(self) -> float | None:
        return None if self.labels is None or not self.total else self.correct / self.total

    @property
    def member_accuracies(self) -> list[float] | None:
        if self.labels is None:
            return None
        return [float(np.mean(p == self.labels)) for p in self.member_predictions]

    @property
    def disagreements(self) -> np.ndarray:
        """Indices of the images where not every member gave the same digit."""
        return np.flatnonzero(self.agreement < self.member_predictions.shape[0])

    def summary(self) -> dict:
        """JSON-ready figures."""
        return {"members": int(self.member_predictions.shape[0]), "total": self.total, "correct": self.correct,
                "accuracy": self.accuracy, "member_accuracies": self.member_accuracies,
                "disagreements": int(len(self.disagreements)),
                "wrong_where_all_agree": None if self.labels is None else int(np.count_nonzero(
                    (self.agreement == self.member_predictions.shape[0]) & (self.predictions != self.labels)))}


def majority(member_outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """member_outputs (k, n, classes) a^L of each member → (member digits (k, n), winner (n,), votes (n,))."""
    k, n, classes = member_outputs.shape
    digits = member_outputs.argmax(axis=2)  # (k, n)
    counts = np.zeros((n, classes), np.int64)
    confidence = np.zeros((n, classes))
    rows = np.arange(n)
    for j in range(k):  # loop over the few members, not over images
        np.add.at(counts, (rows, digits[j]), 1)
        confidence[rows, digits[j]] += member_outputs[j, rows, digits[j]]
    # Most votes first; among equal votes the larger summed activation (both < k+1, so this orders them).
    score = counts * (k + 1.0) + np.minimum(confidence, k)
    winner = score.argmax(axis=1)
    return digits, winner, counts[rows, winner]


def vote(nets, images, labels=None) -> Vote:
    """Each network classifies ``images`` (n, 784: uint8 0..255 or floats 0..1); the majority's digit wins."""
    if not nets:
        raise ValueError("an ensemble needs at least one network")
    images = np.asarray(images)
    if images.dtype == np.uint8:  # as the networks read pixels, a^1 in [0, 1] (Network.feedforward does not scale)
        images = images.astype(np.float32) / np.float32(255)
    outputs = np.stack([np.asarray(net.feedforward(images), np.float64) for net in nets])
    digits, winner, agreement = majority(outputs)
    return Vote(digits, winner, None if labels is None else np.asarray(labels), agreement)
