"""Claims: negation, hedging, refusal, suppliers, lemma quirks, offsets."""

from __future__ import annotations

from scoring import Claim, DocumentClaims


def credits(scorer, text, kind="privacy_notice"):
    out = {}
    for c in scorer.claims(text, "https://x.example/p", kind):
        assert text[c.start:c.end] == c.quote
        key = (c.step_id, c.element_id)
        rank = {"full": 2, "partial": 1, "none": 0}
        if key not in out or rank[c.credit] > rank[out[key]]:
            out[key] = c.credit
    return out


def test_negative_disclosures_earn_credit(scorer):
    c = credits(scorer, "We do not buy data from data brokers.")
    assert c[("data-sources", "commercial-data")] == "full"
    c = credits(scorer, "We never sell your data, and we don't profile voters.")
    assert c[("profiling", "profiling-disclosed")] == "full"
    c = credits(scorer, "We don't upload supporters' details to Facebook to build custom audiences.")
    assert c[("online-targeting", "custom-audiences")] == "full"


def test_hedging_caps_at_partial(scorer):
    assert credits(scorer, "We buy lifestyle data from Experian.")[("data-sources", "commercial-data")] == "full"
    for hedge in ("We may buy lifestyle data from Experian.",
                  "From time to time we buy lifestyle data from Experian.",
                  "Where appropriate we buy lifestyle data from Experian."):
        assert credits(scorer, hedge)[("data-sources", "commercial-data")] == "partial", hedge
    c = credits(scorer, "We share data with carefully selected partners such as printers and email providers.")
    assert c[("suppliers", "supplier-categories")] == "partial"


def test_reader_may_is_not_a_hedge_and_month_may_is_not_either(scorer):
    c = credits(scorer, "You may complain to the Information Commissioner's Office at any time.")
    assert c[("rights", "ico-complaint")] == "full"
    c = credits(scorer, "Since 1 May 2025 you can contact our Data Protection Officer at dpo@party.example.")
    assert c[("accountability", "dpo")] == "full"


def test_refusal_earns_nothing(scorer):
    c = credits(scorer, "We do not publish the names of our suppliers because that is commercially sensitive.")
    assert ("suppliers", "named-suppliers") not in c
    assert ("suppliers", "supplier-categories") not in c


def test_lemma_quirks_and_variants(scorer):
    # "data" -> "datum" and "third" -> "3" in the lookup table: both sides agree
    assert credits(scorer, "We obtain data from third parties.")[("data-sources", "commercial-data")] == "partial"
    assert credits(scorer, "We use the Electoral Roll.")[("data-sources", "electoral-register")] == "full"
    assert credits(scorer, "We use the electoral registers.")[("data-sources", "electoral-register")] == "full"
    assert credits(scorer, "We don't use commercially available data.")[("data-sources", "commercial-data")] == "full"


def test_suppliers_from_table_rows_lists_and_sentences(scorer):
    text = ("Our suppliers\nSupplier | Role\nNationBuilder | CRM and website\nAcme Print Ltd | Printing leaflets\n"
            "- Stripe: card payments for donations\n"
            "We use Mailchimp to send our email newsletters.\n"
            "Our canvassing app is provided by Doorstep Digital Ltd.\n")
    found = {c.detail["supplier"]: c.detail["role"] for c in scorer.claims(text, "u", "supplier_list") if c.detail}
    assert found == {"NationBuilder": "CRM", "Acme Print Ltd": "printing", "Stripe": "payments",
                     "Mailchimp": "email", "Doorstep Digital Ltd": "CRM"}
    card = scorer.score_texts([("u", "supplier_list", text)])
    el = card.step("suppliers").elements[0]
    assert el.id == "named-suppliers" and el.credit == "full"


def test_negated_platform_mentions_are_not_suppliers(scorer):
    claims = scorer.claims("We don't upload anyone's details to Facebook or Google for advertising.", "u",
                           "privacy_notice")
    assert not [c for c in claims if (c.detail or {}).get("supplier")]


def test_wrapped_lines_are_one_sentence(scorer):
    text = ("We combine the register, the Mosaic classification and past canvass answers to sort\n"
            "electors into groups by how likely they are to back us.\n")
    c = [x for x in scorer.claims(text, "u", "privacy_notice") if x.element_id == "profiling-disclosed"]
    assert c and c[0].quote == text.strip()


def test_scorecard_from_claims_alone(scorer):
    text = "We use the electoral register. We do not buy data from data brokers."
    claims = scorer.claims(text, "https://p.example/privacy", "privacy_notice")
    stored = [Claim.from_dict(c.to_dict()) for c in claims]  # as the database keeps them
    card = scorer.scorecard([DocumentClaims("https://p.example/privacy", "privacy_notice", stored, snapshot_id=7)])
    step = card.step("data-sources")
    assert step.elements[0].credit == "full"
    assert step.elements[0].evidence[0].snapshot_id == 7
    assert step.elements[1].credit == "none" and step.elements[1].looked_for


def test_element_not_applicable_without_a_document_of_its_kind(scorer):
    card = scorer.score_texts([("s", "supplier_list", "NationBuilder | CRM")])
    pixels = [e for e in card.step("online-targeting").elements if e.id == "pixels"][0]
    assert pixels.credit == "n/a"
    assert card.to_dict()["steps"][6]["elements"][1]["credit"] == "n/a"


def test_empty_text_gives_all_none(scorer):
    card = scorer.score_texts([("u", "privacy_notice", "")])
    assert card.overall == 0 and card.grade == "E"
    assert len(card.steps) == 10
    # every element answered from the text has nothing; the one answered from spending
    # returns (none given) is not counted
    assert {e.id: e.credit for s in card.steps for e in s.elements if e.credit != "none"} == {
        "paid-suppliers-named": "n/a"}


def test_reverse_scored_element(rubric_text):
    from scoring import Scorer, load_rubric_text

    anchor = "      - id: profiling-objection\n"
    element = ("      - id: sells-data\n"
               "        question: Does it sell voters' data? (reverse-scored)\n"
               "        reverse: true\n"
               "        full:\n"
               "          - find: [\"sell\", \"sells\", \"selling\"]\n"
               "            with: [\"data\", \"information\", \"details\"]\n")
    assert anchor in rubric_text
    scorer = Scorer(load_rubric_text(rubric_text.replace(anchor, element + anchor, 1)))

    def credit(text):
        card = scorer.score_texts([("u", "privacy_notice", text)])
        el = [e for e in card.step("profiling").elements if e.id == "sells-data"][0]
        return el.credit, [ev.quote for ev in el.evidence]

    assert credit("We never sell your data.") == ("full", ["We never sell your data."])
    assert credit("We sell your details to marketing firms.") == ("none", ["We sell your details to marketing firms."])
    assert credit("Nothing relevant here.") == ("none", [])
