"""`partywatch import PARTY FILE --url URL`: store a copy of a document saved by hand."""

from __future__ import annotations

import click

from partywatch.options import db_option, open_db, parties_option, resolve_parties_path
from scoring.kinds import DOCUMENT_KINDS


@click.command("import")
@click.argument("party_id", metavar="PARTY")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--url", required=True, metavar="URL",
              help="The document's address on the party's site (one of its hosts in parties.yaml).")
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS), default=None,
              help="What the document is. Default: its kind if already known, else privacy_notice.")
@click.option("--fetched-at", "saved_at", metavar="DATE", default=None,
              type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]),
              help="When the copy was saved, UTC (2025-10-01 or 2025-10-01T09:30:00). Default: now.")
@parties_option
@db_option
def command(party_id, file, url, kind, saved_at, parties_path, db_url) -> None:
    """Store a copy of a party's document that was saved by hand.

    For a site that answers the crawler with a challenge page or builds its notice with
    JavaScript: open the page in a browser, save it (HTML, PDF or text), and import the
    file as the document at URL. It is stored as a snapshot with provenance `imported`
    and the date it was saved (the same content is stored only once), and the next
    `partywatch check` scores it: a document the crawl cannot fetch keeps its last good
    copy, which is now this one. A later successful fetch of the page replaces it.

    An unknown party, a URL that is not on the party's hosts, or a file that cannot be
    read or holds no text stops with an error, and nothing is stored.

    \b
    Examples:
      partywatch import snp saved/snp-privacy.html --url https://www.snp.org/privacy-notice/
      partywatch import labour notice.pdf --url https://labour.org.uk/privacy/ --fetched-at 2025-10-01
    """
    from partywatch.importing import ImportRefused, import_copy

    engine = open_db(db_url)
    try:
        result = import_copy(engine, parties_path=resolve_parties_path(parties_path),
                             party_id=party_id, path=file, url=url, kind=kind, saved_at=saved_at)
    except ImportRefused as exc:
        raise click.ClickException(f"nothing imported: {exc}") from exc
    finally:
        engine.dispose()
    what = result.kind.replace("_", " ")
    if result.new_content:
        click.echo(f"imported {file} as snapshot {result.snapshot_id} of {result.party_id}'s "
                   f"{what} {result.url}; `partywatch check` scores it")
    else:
        click.echo(f"{file} is the copy already stored for {result.party_id}'s {what} "
                   f"{result.url} (snapshot {result.snapshot_id}); nothing new")
