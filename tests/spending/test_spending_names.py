"""Supplier names: the same company however a notice or a spending return writes it."""

from __future__ import annotations

import pytest

from partywatch.spending.names import (
    AliasEntry,
    AliasError,
    SupplierMatcher,
    load_aliases,
    normalise,
)

matcher = SupplierMatcher(load_aliases())


@pytest.mark.parametrize("a, b", [
    ("Acme Research Ltd", "ACME RESEARCH LIMITED"),
    ("Acme Research Ltd", "Acme Research"),
    ("ACME RESEARCH LIMITED", "Acme Research"),
    ("Acme Research Ltd.", "The Acme Research Co. Limited"),
    ("Print & Post PLC", "Print and Post"),
    ("Brightline Print", "Brightline Mailing Services Ltd t/a Brightline Print"),
    ("Brightline Mailing Services", "Brightline Mailing Services Ltd T/A Brightline Print"),
    ("Acme Researh Ltd", "Acme Research Limited"),  # a typo
    ("Café Data", "Cafe Data Ltd"),
])
def test_the_same_company_matches(a, b):
    found = matcher.match(a, b)
    assert found is not None, (a, b)
    assert (found.named, found.paid) == (a, b)  # every match keeps the two names
    assert found.score >= 90


@pytest.mark.parametrize("a, b", [
    ("Acme Print", "Acme Research"),
    ("Acme Print Ltd", "Acme Research Limited"),
    ("Northgate Polling Ltd", "Northgate Printing Ltd"),
    ("Facebook", "Google Ireland Limited"),
    ("Acme", "Acme Research Group"),
])
def test_different_companies_do_not(a, b):
    assert matcher.match(a, b) is None


def test_exact_matches_score_100_and_typos_less():
    assert matcher.match("Acme Research Ltd", "ACME RESEARCH LIMITED").score == 100
    assert matcher.match("Acme Research Ltd", "ACME RESEARCH LIMITED").how == "exact"
    assert 90 <= matcher.match("Acme Researh", "Acme Research").score < 100


def test_an_alias_entry_makes_a_brand_and_its_company_one_supplier():
    found = matcher.match("Facebook", "Meta Platforms Ireland Limited")
    assert (found.score, found.how) == (100, "alias")
    assert matcher.same("NationBuilder", "3DNA Corp")
    assert matcher.same("Facebook", "Facebook Ireland Ltd")  # two aliases of one entry
    own = SupplierMatcher([AliasEntry(name="Doorstep Data Ltd", also=["DoorKnock"])])
    assert own.match("DoorKnock", "DOORSTEP DATA LIMITED").how == "alias"
    assert SupplierMatcher([]).match("DoorKnock", "Doorstep Data Ltd") is None


def test_normalise():
    assert normalise("The Acme Research Co. Ltd") == "acme research"
    assert normalise("Print & Post (UK) Limited") == "print and post uk"
    assert normalise("Limited") == "limited"  # never normalised to nothing


def test_a_malformed_alias_list_names_the_entry(tmp_path):
    path = tmp_path / "aliases.yaml"
    path.write_text("suppliers:\n  - name: Meta\n    also: [Facebook]\n  - name: Google\n", encoding="utf-8")
    with pytest.raises(AliasError, match=r"aliases.yaml: suppliers\[1\].also: Field required"):
        load_aliases(path)
    path.write_text("suppliers: [", encoding="utf-8")
    with pytest.raises(AliasError, match="not valid YAML"):
        load_aliases(path)
