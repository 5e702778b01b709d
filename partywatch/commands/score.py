"""`partywatch score PATH_OR_URL ...`: score local files or URLs as one party's documents."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import click

from scoring.models import Credit

try:
    from partywatch.paths import default_rubric_path
except ImportError:  # pragma: no cover - fallback while paths.py is absent
    def default_rubric_path() -> Path:
        local = Path("rubric.yaml")
        return local if local.exists() else Path(__file__).resolve().parents[2] / "rubric.yaml"

SUFFIXES = {".html", ".htm", ".pdf", ".md", ".markdown", ".txt"}
MAX_FETCH_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT = 20


def guess_kind(name: str) -> str:
    """privacy_notice unless the file name suggests a supplier list or cookie policy."""
    low = name.lower()
    if any(w in low for w in ("supplier", "processor", "vendor", "third-part")):
        return "supplier_list"
    if "cookie" in low:
        return "cookie_policy"
    return "privacy_notice"


def fetch(url: str) -> tuple[bytes, str | None]:
    req = urllib.request.Request(url, headers={"User-Agent": "partywatch (privacy-notice scorer)"})
    try:
        with urllib.request.urlopen(req, timeout=FETCH_TIMEOUT) as resp:
            raw = resp.read(MAX_FETCH_BYTES + 1)
            if len(raw) > MAX_FETCH_BYTES:
                raise click.ClickException(f"{url}: larger than {MAX_FETCH_BYTES // (1024 * 1024)} MB; not scored")
            return raw, resp.headers.get("Content-Type")
    except urllib.error.HTTPError as exc:
        raise click.ClickException(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise click.ClickException(f"{url}: cannot fetch ({reason})") from None


def read_source(src: str) -> tuple[bytes, str | None, str, str]:
    """(raw bytes, content type, url/name for evidence, document kind)."""
    if src.startswith(("http://", "https://")):
        raw, ctype = fetch(src)
        return raw, ctype, src, guess_kind(src.rsplit("/", 1)[-1] or src)
    path = Path(src)
    if not path.exists():
        raise click.ClickException(f"{src}: no such file")
    if path.is_dir():
        raise click.ClickException(f"{src}: is a directory; name the files to score")
    if path.suffix.lower() not in SUFFIXES:
        raise click.ClickException(f"{src}: unsupported file type '{path.suffix}' "
                                   f"(use {', '.join(sorted(SUFFIXES))})")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{src}: cannot read ({exc.strerror or exc})") from None
    return raw, None, str(path), guess_kind(path.name)


@click.command("score")
@click.argument("sources", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--rubric", "rubric_path", metavar="FILE", type=click.Path(dir_okay=False), default=None,
              help="The rubric to score with. Default: ./rubric.yaml.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def command(sources: tuple[str, ...], rubric_path: str | None, fmt: str) -> None:
    """Score local files (.html .htm .pdf .md .txt) or URLs as ONE party's document set.

    Needs no database. A file whose name mentions suppliers/processors is read as a
    supplier list, one that mentions cookies as a cookie policy; others as privacy notices.
    """
    from scoring import ExtractionError, RubricError, Scorer, extract_text, load_rubric

    path = rubric_path or str(default_rubric_path())
    try:
        rubric = load_rubric(path)
    except RubricError as exc:
        raise click.ClickException(f"the rubric has errors:\n{exc}") from None
    items = []
    for src in sources:
        raw, ctype, url, kind = read_source(src)
        try:
            text = extract_text(raw, ctype, url)
        except ExtractionError as exc:
            raise click.ClickException(f"{src}: {exc}") from None
        items.append((url, kind, text))
    card = Scorer(rubric).score_texts(items)
    if fmt == "json":
        click.echo(json.dumps(card.to_dict(), indent=2, ensure_ascii=False))
        return
    print_table(card, items)


MARK = {Credit.FULL: "●", Credit.PARTIAL: "◐", Credit.NONE: "○", Credit.NOT_APPLICABLE: "–"}
STYLE = {Credit.FULL: "green", Credit.PARTIAL: "yellow", Credit.NONE: "red", Credit.NOT_APPLICABLE: "dim"}


def print_table(card, items) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    docs = ", ".join(f"{Path(u).name if '://' not in u else u} ({k})" for u, k, _ in items)
    table = Table(title=f"Scorecard: overall {card.overall:.1f}/100, grade {card.grade}",
                  caption=f"rubric {card.rubric_version} · {docs} · ● full ◐ partial ○ none – n/a",
                  show_lines=True, expand=True)
    wide = console.width >= 110
    table.add_column("Step", style="bold", ratio=2, min_width=24)
    table.add_column("Score", justify="right", no_wrap=True)
    if wide:
        table.add_column("Elements", ratio=3)
    table.add_column("Best evidence", ratio=5)
    for step in card.steps:
        label = step.label
        els = "\n".join(f"[{STYLE[e.credit]}]{MARK[e.credit]}[/] {escape(e.id)}" for e in step.elements)
        ev = step.best_evidence()
        if ev is not None:
            quote = ev.quote if len(ev.quote) <= 220 else ev.quote[:217] + "..."
            where = Path(ev.url).name if "://" not in ev.url else ev.url
            evidence = f"“{escape(quote)}”\n[dim]{escape(where)} @{ev.start}[/]"
        else:
            missing = next((e for e in step.elements if e.credit == Credit.NONE), None)
            evidence = f"[dim]nothing found; looked for {escape(missing.looked_for)}[/]" if missing else ""
        if not wide:  # narrow terminal: credits as a line of marks under the step
            table.add_row(f"{escape(step.title)}\n[dim]{step.id}[/]\n"
                          + " ".join(f"[{STYLE[e.credit]}]{MARK[e.credit]}[/]" for e in step.elements),
                          f"[{STYLE[label]}]{step.score:.0f}[/]", evidence)
        else:
            table.add_row(f"{escape(step.title)}\n[dim]{step.id}[/]",
                          f"[{STYLE[label]}]{step.score:.0f}[/]", els, evidence)
    console.print(table)
