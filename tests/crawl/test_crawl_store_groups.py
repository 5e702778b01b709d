"""The crawl writes fetches in groups: one transaction for many, and a bad one fails alone."""

from __future__ import annotations

from sqlalchemy import select

from history.db import transaction
from history.models import DocumentRow, FetchRow, PartyRow
from spiders.items import DocumentFetch
from spiders.pipelines import HistoryPipeline


def _pipeline(engine, url):
    pipeline = HistoryPipeline(url, run_id=None)
    pipeline.engine = engine
    return pipeline


def test_a_group_of_fetches_is_stored(engine, database_url):
    with transaction(engine) as session:
        session.add(PartyRow(id="snp", name="SNP", jurisdiction="GB-SCT", homepage="http://127.0.0.1/"))
    items = [DocumentFetch("snp", f"http://127.0.0.1/privacy-{n}.html", "privacy_notice", 200,
                           raw=f"<p>notice {n}</p>".encode(), content_type="text/html") for n in range(3)]
    items.append(DocumentFetch("snp", "http://127.0.0.1/gone.html", "privacy_notice", 404, error="HTTP 404"))
    results = _pipeline(engine, database_url)._store_group(items)
    assert [(ok, new, status) for ok, _error, new, _id, status in results] == \
        [(True, True, "ok")] * 3 + [(False, False, "gone")]
    with transaction(engine) as session:
        assert len(session.scalars(select(FetchRow)).all()) == 4


def test_a_fetch_that_cannot_be_stored_fails_alone(engine, database_url):
    with transaction(engine) as session:
        session.add(PartyRow(id="snp", name="SNP", jurisdiction="GB-SCT", homepage="http://127.0.0.1/"))
    good = DocumentFetch("snp", "http://127.0.0.1/privacy.html", "privacy_notice", 200,
                         raw=b"<p>We keep canvassing data for two years.</p>", content_type="text/html")
    unknown_party = DocumentFetch("nobody", "http://127.0.0.1/x.html", "privacy_notice", 200,
                                  raw=b"<p>x</p>", content_type="text/html")
    also_good = DocumentFetch("snp", "http://127.0.0.1/suppliers.html", "supplier_list", 200,
                              raw=b"<p>Our suppliers</p>", content_type="text/html")
    results = _pipeline(engine, database_url)._store_group([good, unknown_party, also_good])
    assert isinstance(results[1], Exception)  # the party is not in the history
    assert results[0][0] is True and results[2][0] is True
    with transaction(engine) as session:
        stored = sorted(session.scalars(select(DocumentRow.url)))
    assert stored == ["http://127.0.0.1/privacy.html", "http://127.0.0.1/suppliers.html"]
