"""Charts of a party's history as PNG files (matplotlib, Agg: no display needed)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from history.research import PartyHistory

# Ten steps need ten distinguishable colours; tab10 is colour-blind-friendlier than the default.
_STEP_COLOURS = "tab10"


def describe_history(history: PartyHistory) -> str:
    """Alt text for a history chart: what it shows and where it ended up."""
    if not history.points:
        return f"No scorecards yet for {history.party_name}."
    first, last = history.points[0], history.points[-1]
    text = (f"Line chart of {history.party_name}'s overall score and ten step scores from "
            f"{first.scored_at:%d %B %Y} to {last.scored_at:%d %B %Y} "
            f"(rubric version {history.rubric_version}, {len(history.points)} scorecards). "
            f"Overall moved from {first.overall:.0f} ({first.grade}) to {last.overall:.0f} ({last.grade}).")
    return text


def plot_history(history: PartyHistory, path: Path | str, *, width: float = 10.0,
                 height: float = 5.0, dpi: int = 100) -> Path:
    """Draw overall (thick, black) and each step's score over time into a PNG at `path`."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, ax = plt.subplots(figsize=(width, height), dpi=dpi, layout="constrained")
    try:
        times = [p.scored_at for p in history.points]
        colours = plt.get_cmap(_STEP_COLOURS)
        # A step drawn as steps-post: a score holds until the next scorecard changes it.
        for index, (step_id, _title) in enumerate(history.steps):
            values = [p.steps.get(step_id) for p in history.points]
            ax.plot(times, values, drawstyle="steps-post", linewidth=1.2, alpha=0.8,
                    color=colours(index % 10), label=step_id,
                    marker="." if len(times) <= 40 else None)
        ax.plot(times, [p.overall for p in history.points], drawstyle="steps-post", linewidth=3,
                color="black", label="overall", marker="o" if len(times) <= 40 else None)
        ax.set_ylim(-3, 103)
        ax.set_ylabel("score (0-100)")
        ax.set_title(f"{history.party_name}: scores over time (rubric {history.rubric_version})")
        ax.grid(True, alpha=0.3)
        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        if len(times) == 1:  # one point: a fortnight around it, not matplotlib's years
            ax.set_xlim(times[0] - timedelta(days=7), times[0] + timedelta(days=7))
        if not times:
            ax.text(0.5, 0.5, "no scorecards yet", transform=ax.transAxes, ha="center")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small", frameon=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return path
