"""A party's scores over time as a PNG (matplotlib, no display needed)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server; must come before pyplot

from matplotlib import pyplot as plt  # noqa: E402


def history_png(name: str, cards: list) -> bytes:
    """Overall score (bold) and each step's score for every scorecard, oldest first."""
    times = [card.created_at for card in cards]
    figure, axes = plt.subplots(figsize=(9, 5), dpi=100)
    try:
        steps: dict[str, tuple[str, list[float | None]]] = {}
        for index, card in enumerate(cards):
            for step in card.steps:
                title, values = steps.setdefault(step.step_id, (step.title, [None] * len(cards)))
                values[index] = step.score
        for title, values in steps.values():
            axes.plot(times, values, marker=".", linewidth=1, alpha=0.7, label=title[:40])
        axes.plot(times, [card.overall for card in cards], marker="o", linewidth=3,
                  color="black", label="Overall")
        axes.set_ylim(-3, 103)
        axes.set_ylabel("score (0–100)")
        axes.set_title(f"{name}: transparency scores over time")
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
        figure.autofmt_xdate()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
