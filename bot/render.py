"""Turning notifications and scorecards into Telegram HTML messages.

Every text that comes from a party's documents, parties.yaml or the rubric goes through
`esc` (html.escape), so a quote containing `<script>` or `&` arrives as written. Long
quotes are shortened before escaping (never mid-entity), and every message stays under
Telegram's 4,096 characters: notifications are summarised (pointing to /why), replies to
commands are split on line boundaries by `split_message`.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Iterable, Mapping, Sequence

from history.permalinks import evidence_path, published_url
from history.spending import paid_not_named
from scoring.models import Credit

TELEGRAM_LIMIT = 4096
# Room for Telegram counting differently from us (it counts UTF-16 units of the parsed text;
# we count characters of the HTML, which is never fewer).
MESSAGE_LIMIT = 4000
QUOTE_LIMIT = 400
LINE_LIMIT = 300
PAYEES_SHOWN = 5  # paid-but-never-named suppliers listed under an element in /why

CREDIT_MARKS = {Credit.FULL: "✅", Credit.PARTIAL: "🟡", Credit.NONE: "❌", Credit.NOT_APPLICABLE: "➖"}
CHANGE_WORDS = {"added": "new", "changed": "changed", "removed": "removed", "failing": "failing"}


def esc(text: object) -> str:
    """Escape any text for Telegram's HTML parse mode."""
    return html.escape("" if text is None else str(text), quote=True)


def shorten(text: object, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with an ellipsis."""
    text = " ".join(("" if text is None else str(text)).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


def fmt_score(value: float | None) -> str:
    if value is None:
        return "–"
    value = round(float(value), 1)
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def link(url: str, label: str = "source") -> str:
    return f'<a href="{esc(url)}">{esc(label)}</a>'


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split an HTML message on line boundaries into parts of at most `limit` characters.

    Our renderers close every tag on the line that opens it, so any line boundary is a
    safe place to cut. A single line longer than `limit` is cut before an entity or tag.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = limit
            for marker in ("&", "<"):
                at = line.rfind(marker, cut - 12, cut)
                if at != -1:
                    cut = min(cut, at)
            head, line = line[:cut], line[cut:]
            if current:
                parts.append(current)
                current = ""
            parts.append(head)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()] or [""]


def fit(lines: Sequence[str], footer: str, limit: int = MESSAGE_LIMIT) -> str:
    """Join lines, dropping the tail (with a note) so the message stays under `limit`."""
    text = "\n".join(lines)
    if len(text) + len(footer) + 1 <= limit:
        return f"{text}\n{footer}" if footer else text
    kept: list[str] = []
    size = len(footer) + 80
    for line in lines:
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    dropped = len(lines) - len(kept)
    note = f"<i>… {dropped} more line{'s' if dropped != 1 else ''} left out to fit one message.</i>"
    return "\n".join([*kept, note, footer] if footer else [*kept, note])


# --- notifications (the outbox payload) --------------------------------------------------


def render_notification(payload: dict) -> str:
    """One message for one subscriber for one check run, always under the limit."""
    kind = payload.get("type")
    if kind == "admin_alert":
        return fit(["⚠️ <b>partywatch admin alert</b>",
                    *(esc(shorten(line, LINE_LIMIT * 2)) for line in str(payload.get("text", "")).splitlines())],
                   "")
    if kind != "scorecard_change":
        return esc(shorten(payload.get("text") or f"partywatch: {payload}", 3000))

    parties = payload.get("parties") or []
    lines: list[str] = []
    if len(parties) > 1:
        lines.append(f"<b>{len(parties)} scorecards changed</b>")
    first_step = None
    for party in parties:
        pid = party.get("party", "")
        old, new = party.get("old") or {}, party.get("new") or {}
        if lines:
            lines.append("")
        lines.append(f"<b>{esc(shorten(party.get('name') or pid, 120))}</b> ({esc(pid)})")
        # Lead with what moved: the grade and score if they did, then steps and answers,
        # then documents; an unchanged grade is context, so it comes last.
        moved = bool(old) and (old.get("grade") != new.get("grade")
                               or fmt_score(old.get("overall")) != fmt_score(new.get("overall")))
        if not old:
            lines.append(f"First scorecard: grade <b>{esc(new.get('grade', '?'))}</b>, "
                         f"score <b>{fmt_score(new.get('overall'))}</b>")
        elif moved:
            lines.append(f"Grade {esc(old.get('grade', '?'))} → <b>{esc(new.get('grade', '?'))}</b>, "
                         f"score {fmt_score(old.get('overall'))} → <b>{fmt_score(new.get('overall'))}</b>")
        for step in party.get("steps") or []:
            first_step = first_step or (pid, step.get("id"))
            old_score, new_score = step.get("old"), step.get("new")
            arrow = "▲" if (old_score or 0) < (new_score or 0) else "▼"
            lines.append(f"{arrow} {esc(shorten(step.get('title') or step.get('id'), 100))}: "
                         f"{fmt_score(old_score)} → {fmt_score(new_score)}")
        elements = party.get("elements") or []
        if elements:
            lines.append(f"{len(elements)} answer{'s' if len(elements) != 1 else ''} changed: " + ", ".join(
                esc(shorten(f"{e.get('element')} {e.get('old') or '–'}→{e.get('new') or '–'}", 60))
                for e in elements[:6]) + (" …" if len(elements) > 6 else ""))
        for document in party.get("documents") or []:
            change = CHANGE_WORDS.get(document.get("change"), document.get("change") or "changed")
            summary = document.get("summary")
            lines.append(f"📄 {esc(change)}: {link(document.get('url', ''), shorten(document.get('url', ''), 80))}"
                         + (f" — {esc(shorten(summary, LINE_LIMIT))}" if summary else ""))
        lines.extend(source_lines([(source.get("url", ""), source.get("note", ""))
                                   for source in party.get("sources") or []]))
        if old and not moved:
            lines.append(f"<i>Grade {esc(new.get('grade', '?'))}, score {fmt_score(new.get('overall'))}: "
                         "unchanged.</i>")
    if first_step:
        footer = f"Ask <code>/why {esc(first_step[0])} {esc(first_step[1])}</code> for the quoted evidence."
    elif parties:
        footer = f"Ask <code>/score {esc(parties[0].get('party', ''))}</code> for the whole scorecard."
    else:
        footer = ""
    return fit(lines, footer)


# --- scorecards --------------------------------------------------------------------------


def source_lines(sources: Sequence[tuple[str, str]]) -> list[str]:
    """A line per document scored from a copy the crawl did not fetch (archived, imported)."""
    return [f"📄 {link(url, shorten(url, 80))} scored {esc(note)}" for url, note in sources]


def render_score(name: str, party_id: str, card, sources: Sequence[tuple[str, str]] = ()) -> str:
    """/score: grade, overall and each step's score; `sources` label copies not fetched."""
    lines = [f"<b>{esc(name)}</b> ({esc(party_id)})",
             f"Grade <b>{esc(card.grade)}</b> · overall <b>{fmt_score(card.overall)}</b>/100",
             f"<i>as of {card.created_at:%Y-%m-%d %H:%M} UTC</i>", *source_lines(sources), ""]
    for step in card.steps:
        lines.append(f"<code>{fmt_score(step.score):>5}</code>  {esc(step.title)}")
    lines.append("")
    lines.append(f"Ask <code>/why {esc(party_id)} &lt;step&gt;</code> or tap a step for the evidence.")
    return "\n".join(lines)


def evidence_links(item: dict, site_url: str | None, fetched: dict[int, datetime]) -> str:
    """A quote's links: its stored copy on the published report when the site's URL is
    set (the sentence survives the party editing its page), else the live page and the
    date partywatch read it."""
    url, snapshot_id = item.get("url", ""), item.get("snapshot_id")
    fetched_at = fetched.get(snapshot_id) if snapshot_id is not None else None
    if fetched_at is None:
        return link(url)
    if site_url:
        stored = published_url(site_url, evidence_path(snapshot_id, item.get("start"), item.get("end")))
        return f"{link(stored, f'stored copy of {fetched_at:%d %b %Y}')} · {link(url, 'live page')}"
    return f"{link(url)} (as read on {fetched_at:%d %b %Y})"


def render_why(name: str, party_id: str, card, step_id: str, questions: dict[str, str],
               sources: Sequence[tuple[str, str]] = (), *,
               site_url: str | None = None, fetched: dict[int, datetime] | None = None) -> str:
    """/why: each element's credit with its quoted evidence and link.

    `sources` says where copies that were not fetched came from (archived, imported);
    `fetched` maps the evidence's snapshot ids to their fetch times; `site_url` is where
    `partywatch report` publishes the stored versions."""
    fetched = fetched or {}
    step = next(s for s in card.steps if s.step_id == step_id)
    lines = [f"<b>{esc(name)}</b> · <b>{esc(step.title)}</b>: {fmt_score(step.score)}/100",
             *source_lines(sources), ""]
    for element in (e for e in card.elements if e.step_id == step_id):
        label = questions.get(element.element_id) or element.element_id
        lines.append(f"{CREDIT_MARKS.get(element.credit, '•')} <b>{esc(element.credit)}</b> — {esc(shorten(label, 200))}")
        evidence = element.evidence or []
        if element.credit == Credit.NOT_APPLICABLE:
            lines.append("   <i>Not counted: it does not apply to this party's documents, or needs data "
                         "not loaded (spending returns).</i>")
        elif element.credit == Credit.NONE or not evidence:
            looked = element.looked_for or ""
            lines.append("   <i>No disclosure found.</i>" + (f" Looked for: {esc(shorten(looked, LINE_LIMIT))}" if looked else ""))
        for item in evidence[:3]:
            quote = shorten(item.get("quote", ""), QUOTE_LIMIT)
            lines.append(f"   “{esc(quote)}” {evidence_links(item, site_url, fetched)}")
        if len(evidence) > 3:
            lines.append(f"   <i>and {len(evidence) - 3} more quotes</i>")
        unnamed = paid_not_named(getattr(element, "detail", None))
        for payee in unnamed[:PAYEES_SHOWN]:
            lines.append(f"   Paid {esc(payee['supplier'])} (£{float(payee['total']):,.2f}, "
                         f"{esc(', '.join(payee['categories']))}) but never named")
        if len(unnamed) > PAYEES_SHOWN:
            lines.append(f"   <i>and {len(unnamed) - PAYEES_SHOWN} more paid but never named "
                         f"(<code>/suppliers {esc(party_id)}</code>)</i>")
    return "\n".join(lines)


def render_suppliers(name: str, party_id: str, gaps: dict | None) -> str:
    """/suppliers: who the party paid for data-related work, and whether its notices name them."""
    if gaps is None:
        return (f"No spending returns are loaded for <b>{esc(name)}</b>, so I can't say whom it paid. "
                "(The maintainer loads them with <code>partywatch spending import</code>.)")

    def payee(p: dict) -> str:
        categories = ", ".join(p["categories"])
        line = f"• {esc(p['supplier'])}: £{p['total']:,.2f}, {p['items']} item(s), {esc(categories)}"
        if p.get("named_as"):
            line += f" — named as “{esc(p['named_as'])}” {link(p['source']['url'])}"
        return line

    lines = [f"<b>{esc(name)}</b> ({esc(party_id)}): suppliers paid for data-related campaign work", ""]
    if not gaps["scored"]:
        lines += ["<i>Not scored yet, so I don't know which suppliers its notices name.</i>", ""]
    lines.append(f"<b>Paid, not named in its notices</b> ({len(gaps['paid_not_named'])})")
    lines += [payee(p) for p in gaps["paid_not_named"]] or ["none"]
    lines += ["", f"<b>Named and paid</b> ({len(gaps['named_and_paid'])})"]
    lines += [payee(p) for p in gaps["named_and_paid"]] or ["none"]
    lines += ["", f"<b>Named, not paid</b> ({len(gaps['named_not_paid'])})"]
    lines += [f"• {esc(n['supplier'])} {link(n['source']['url'])}" for n in gaps["named_not_paid"]] or ["none"]
    return fit(lines, "<i>Contains Electoral Commission data (Open Government Licence v3.0).</i>")


def render_compare(left: tuple[str, str, object], right: tuple[str, str, object]) -> str:
    """/compare: two scorecards side by side, step by step."""
    (lid, lname, lcard), (rid, rname, rcard) = left, right
    rsteps = {s.step_id: s for s in rcard.steps}
    lines = [f"<b>{esc(lname)}</b> vs <b>{esc(rname)}</b>",
             f"<code>{esc(lid[:12]):>12} {esc(rid[:12]):>12}</code>",
             f"<code>{esc(lcard.grade):>12} {esc(rcard.grade):>12}</code>  grade",
             f"<code>{fmt_score(lcard.overall):>12} {fmt_score(rcard.overall):>12}</code>  overall", ""]
    for step in lcard.steps:
        other = rsteps.get(step.step_id)
        rscore = fmt_score(other.score) if other else "–"
        mark = " ◀" if other and step.score > other.score else (" ▶" if other and step.score < other.score else "")
        lines.append(f"<code>{fmt_score(step.score):>12} {rscore:>12}</code>  {esc(step.title)}{mark}")
    return "\n".join(lines)


def render_not_scored(name: str, party_id: str, reason: str) -> str:
    """/score, /why, /compare of a party without a readable privacy notice: why, no grade."""
    return (f"<b>{esc(name)}</b> ({esc(party_id)}) is <b>not scored</b>: "
            f"{esc(shorten(reason, LINE_LIMIT))}.\n"
            "partywatch gives no grade without a readable privacy notice; "
            "the party is scored as soon as a check can read one.")


def render_parties(rows: Iterable[tuple[str, str, object]],
                   not_scored: Mapping[str, str] | None = None) -> str:
    """/parties: every watched party with its latest grade, or why it has none."""
    not_scored = not_scored or {}
    lines = ["<b>Parties watched</b>"]
    for party_id, name, card in rows:
        if party_id in not_scored:
            grade = f"not scored: {esc(shorten(not_scored[party_id], 120))}"
        elif card:
            grade = f"{esc(card.grade)} ({fmt_score(card.overall)})"
        else:
            grade = "not scored yet"
        lines.append(f"• <code>{esc(party_id)}</code> {esc(name)} — {grade}")
    lines.append("")
    lines.append("Try <code>/score snp</code>, or tap a party.")
    return "\n".join(lines)


def render_rubric(steps: Sequence[tuple[str, str, str]]) -> str:
    """/rubric: the ten steps in plain words. `steps` are (id, title, asks)."""
    lines = ["<b>The ten steps</b> a party is scored on:", ""]
    for number, (step_id, title, asks) in enumerate(steps, 1):
        lines.append(f"{number}. <b>{esc(title)}</b> (<code>{esc(step_id)}</code>)")
        if asks:
            lines.append(f"   {esc(shorten(asks, LINE_LIMIT))}")
    return "\n".join(lines)


HELP = """<b>partywatch</b> scores how openly UK political parties explain their use of voters' \
personal data, against ten steps, and tells you when a score changes.

/parties – the parties watched and their grades
/score <i>party</i> – grade, overall and per-step scores
/why <i>party step</i> – each answer with the quoted evidence and its link
/compare <i>party party</i> – two parties side by side
/history <i>party</i> – a chart of the scores over time
/subscribe <i>party</i>|all – get a message when a scorecard changes
/unsubscribe <i>party</i>|all – stop those messages
/subscriptions – what you follow
/rubric – the ten steps in plain words
/suppliers <i>party</i> – companies it paid for data-related work, and whether its notices name them

A party can be named by its id, its name or a common abbreviation (snp, lib dems, tories)."""
