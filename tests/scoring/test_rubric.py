"""The rubric engine: validation errors with path and line, edits move only what they touch.

These tests run on a small rubric of their own (tests/fixtures/rubric/small.yaml), so an
ordinary edit of the shipped rubric.yaml never breaks them; the shipped rubric itself is
only checked to load and to hold the ten steps.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from partywatch.cli import main
from scoring import STEP_IDS, RubricError, Scorer, load_rubric, load_rubric_text

REPO = Path(__file__).resolve().parents[2]
RUBRIC_PATH = REPO / "rubric.yaml"
SMALL_PATH = REPO / "tests" / "fixtures" / "rubric" / "small.yaml"


@pytest.fixture(scope="module")
def small_text() -> str:
    return SMALL_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def small_scorer(small_text) -> Scorer:
    return Scorer(load_rubric_text(small_text))


def test_shipped_rubric(rubric):
    assert [s.id for s in rubric.steps] == list(STEP_IDS)
    for step in rubric.steps:
        assert 2 <= len(step.elements) <= 5
        assert step.title and step.asks and step.source
        for el in step.elements:
            assert el.question
    assert re.fullmatch(r"\d{4}\.\d+", rubric.version)
    assert len(rubric.content_hash) == 64
    assert rubric.grade(95) == "A" and rubric.grade(0) == "E"


def test_the_shipped_rubric_keeps_the_matcher_fast(rubric):
    # One token pattern the prefilter cannot read (a REGEX or an OP on its first word) makes
    # the Matcher visit every token of every text: the whole scoring path lost a third of its
    # speed to one date pattern written with REGEX before it was written with SHAPE.
    from scoring.patterns import compile_rubric

    assert compile_rubric(rubric).prefilter is not None


def test_the_prefilter_finds_what_one_matcher_over_the_whole_text_finds(rubric):
    # Each group of token patterns runs only where its first word is; a pattern dropped
    # from its group, or a window cut one token short, would lose a match here.
    from scoring.patterns import compile_rubric

    compiled = compile_rubric(rubric)
    nlp = compiled.nlp
    fixtures = REPO / "tests" / "fixtures"
    texts = sorted((fixtures / "corpus").glob("*.txt")) + sorted((fixtures / "nonparty" / "tune").glob("*.md"))
    assert len(texts) > 20
    found = 0
    for path in texts:
        doc = nlp.component(nlp.make_doc(path.read_text(encoding="utf-8")))
        whole = compiled.matcher(doc)
        assert compiled.prefilter(doc) == whole, path.name
        found += len(whole)
    assert found > 500


def test_the_part_of_the_lemma_table_a_rubric_keeps_finds_what_the_whole_table_finds(rubric):
    # A scorer holds only the entries its rubric's patterns need (scoring.nlp
    # .narrowed_lemma_table); an entry dropped that a match depends on would lose it here.
    from scoring.nlp import Analyzer, lemma_table
    from scoring.patterns import compile_rubric

    compiled = compile_rubric(rubric)
    nlp = compiled.nlp
    assert len(nlp.component.table) < len(lemma_table()) / 10
    whole = Analyzer(nlp.vocab)
    whole.use_table(lemma_table())
    fixtures = REPO / "tests" / "fixtures"
    texts = sorted((fixtures / "corpus").glob("*.txt")) + sorted((fixtures / "nonparty" / "tune").glob("*.md"))
    found = 0
    for path in texts:
        text = path.read_text(encoding="utf-8")
        narrowed_matches = compiled.matches(nlp.component(nlp.make_doc(text)))
        assert narrowed_matches == compiled.matches(whole(nlp.make_doc(text))), path.name
        found += len(narrowed_matches)
    assert found > 5000


def test_a_word_that_folds_into_a_rubric_lemma_keeps_its_own_lemma():
    # "analyses" is "analysis" to the table; without its entry it would fold into "analyse"
    from scoring.nlp import lemma_of, lemma_table, narrowed_lemma_table

    table = narrowed_lemma_table(lemma_table(), {"analyse", "base", "keep"}, set())
    words = ("analyses", "analysed", "bases", "based", "kept", "keeps")
    assert [lemma_of(table, w) for w in words] == [lemma_of(lemma_table(), w) for w in words] == [
        "analysis", "analyse", "basis", "base", "keep", "keep"]
    assert len(table) < 100


def broken(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def problems(text):
    with pytest.raises(RubricError) as info:
        load_rubric_text(text, "rubric.yaml")
    return info.value


def test_unknown_key_typo(small_text):
    text = broken(small_text, "        question: Does it say it uses the electoral register?",
                  "        questoin: Does it say it uses the electoral register?")
    err = problems(text)
    msgs = [(p.path, p.line, p.message) for p in err.problems]
    assert ("steps[0].elements[0].questoin", line_of(text, "questoin"),
            "unknown key 'questoin' (did you mean 'question'?)") in msgs
    assert any(p.path == "steps[0].elements[0].question" and "required" in p.message.lower() for p in err.problems)


def test_bad_token_attribute(small_text):
    text = broken(small_text, '[{LEMMA: {IN: ["buy", "purchase"', '[{LEMMMA: {IN: ["buy", "purchase"')
    err = problems(text)
    [p] = err.problems
    assert p.path == "steps[0].elements[1].full[0].find[1][0]"
    assert p.line == line_of(text, "LEMMMA")
    assert "unknown token attribute 'LEMMMA' (did you mean 'LEMMA'?)" in p.message
    assert f"rubric.yaml:{p.line}: steps[0].elements[1].full[0].find[1][0]: unknown token attribute 'LEMMMA'" in str(err)


def test_a_list_of_phrases_in_find_is_one_answer(small_text):
    # "public task (democratic engagement)" names one lawful basis: written as one list, its
    # phrases count once towards full_from_claims however many of them a sentence names
    def bases_named(find, sentence):
        scorer = Scorer(load_rubric_text(broken(small_text, 'find: ["consent", "public task"]', find)))
        card = scorer.score_texts([("https://party.example/privacy", "privacy_notice", sentence)])
        return card.step("lawful-basis").elements[0].credit

    one_list = 'find: ["consent", ["public task", "democratic engagement"]]'
    assert bases_named(one_list, "For canvassing we rely on public task (democratic engagement).") == "partial"
    assert bases_named(one_list, "We rely on democratic engagement for canvassing.") == "partial"
    assert bases_named(one_list, "We rely on public task for canvassing and on consent for our emails.") == "full"
    # written as two terms, the same sentence names two
    two_terms = 'find: ["consent", "public task", "democratic engagement"]'
    assert bases_named(two_terms, "For canvassing we rely on public task (democratic engagement).") == "full"


def test_mistakes_inside_a_list_of_phrases_are_located(small_text):
    text = broken(small_text, 'find: ["consent", "public task"]',
                  'find: ["consent", ["public task", "", [{LEMMMA: "engage"}]]]')
    got = {(p.path, p.message) for p in problems(text).problems}
    assert got == {("steps[5].elements[0].partial[0].find[1][1]", "empty phrase"),
                   ("steps[5].elements[0].partial[0].find[1][2][0]",
                    "unknown token attribute 'LEMMMA' (did you mean 'LEMMA'?)")}


def test_a_pattern_spacy_refuses_inside_a_list_of_phrases_is_reported_once(small_text):
    # the find list's keys were compiled twice, once for matching and once for its answers
    text = broken(small_text, 'find: ["consent", "public task"]',
                  'find: ["consent", ["public task", [{LENGTH: "abc"}]]]')
    with pytest.raises(RubricError) as info:
        Scorer(load_rubric_text(text))
    [p] = info.value.problems
    assert p.path == "steps[5].elements[0].partial[0].find[1][1]"
    assert p.message.startswith("bad token pattern:")


def test_bad_weight(small_text):
    anchor = "        question: Does it describe the kinds of suppliers"
    text = broken(small_text, "        weight: 2\n" + anchor, "        weight: -2\n" + anchor)
    [p] = problems(text).problems
    assert p.path == "steps[1].elements[1].weight"
    assert p.line == line_of(text, "weight: -2")
    assert "greater than 0" in p.message


def test_duplicate_id(small_text):
    text = broken(small_text, "      - id: disposal", "      - id: periods")
    [p] = problems(text).problems
    assert p.path == "steps[8].elements[1].id"
    assert "duplicate element id 'periods'" in p.message
    assert p.line == text.count("\n", 0, text.index("      - id: periods", text.index("      - id: periods") + 1)) + 1


def test_yaml_syntax_error(small_text):
    text = broken(small_text, 'version: "test.1"', 'version: "test.1\nx: [')
    [p] = problems(text).problems
    assert "YAML syntax error" in p.message and p.line is not None


def test_more_kinds_of_mistakes(small_text):
    # bad regular expression, POS (needs a trained model), unknown step id, bad OP
    text = broken(small_text, '[{TEXT: {IN: ["may", "might"]}}]',
                  '[{TEXT: {REGEX: "(unclosed"}}, {POS: VERB}, {LOWER: x, OP: "%"}]')
    text = broken(text, "  - id: retention\n", "  - id: retentoin\n")
    msgs = [p.message for p in problems(text).problems]
    assert any("bad regular expression" in m for m in msgs)
    assert any("needs a trained spaCy model" in m for m in msgs)
    assert any("OP must be one of" in m for m in msgs)
    assert any("unknown step id 'retentoin'" in m for m in msgs)
    assert any("missing step(s): retention" in m for m in msgs)


def test_structure_and_pattern_mistakes_reported_together(small_text):
    text = broken(small_text, "    title: Where voters' data comes from", "    titel: Where voters' data comes from")
    text = broken(text, "[{LIKE_EMAIL: true}]", "[{LIKE_EMAL: true}]")
    msgs = [f"{p.path}: {p.message}" for p in problems(text).problems]
    assert "steps[0].titel: unknown key 'titel' (did you mean 'title'?)" in msgs
    assert any("unknown token attribute 'LIKE_EMAL' (did you mean 'LIKE_EMAIL'?)" in m for m in msgs)


def test_validate_command(tmp_path, small_text):
    runner = CliRunner()
    ok = runner.invoke(main, ["rubric", "validate", str(SMALL_PATH)])
    assert ok.exit_code == 0, ok.output
    assert "version         test.1" in ok.output and "elements        21" in ok.output
    assert runner.invoke(main, ["rubric", "validate", str(RUBRIC_PATH)]).exit_code == 0
    bad = tmp_path / "rubric.yaml"
    bad.write_text(small_text.replace("weight: 0.5", "weight: heavy", 1))
    res = runner.invoke(main, ["rubric", "validate", str(bad)])
    assert res.exit_code == 1
    assert "weight" in res.output and "valid number" in res.output
    assert "Traceback" not in res.output
    missing = runner.invoke(main, ["rubric", "validate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "file not found" in missing.output


NOTICE = """# Privacy notice
We use the electoral register. We never buy data from data brokers.
We use NationBuilder and Mailchimp. We use printers.
Our leaflets carry an imprint. We publish our targeting criteria.
We profile voters. You can object to profiling.
We process political opinions under Schedule 1 of the Act.
We rely on consent for emails and on public task for canvassing.
We use a pixel for advertising on Facebook.
You have the right of access.
## Your rights
Write to rights@party.example.
We keep canvass records for 2 years. We keep member records for 6 years.
Our data protection officer is Jo Bloggs. Last updated 1 May 2025.
"""


def _scored(scorer):
    return scorer.score_texts([("https://party.example/privacy", "privacy_notice", NOTICE)])


def test_changing_one_weight_moves_only_that_step(small_scorer, small_text):
    edited = broken(small_text, "      - id: disposal\n        weight: 0.5", "      - id: disposal\n        weight: 3")
    before, after = _scored(small_scorer), _scored(Scorer(load_rubric_text(edited)))
    moved = {b.id for b, a in zip(before.steps, after.steps) if b.score != a.score}
    assert [e.credit for e in before.step("retention").elements] == ["full", "none"]
    assert moved == {"retention"}


def test_changing_one_pattern_moves_only_that_element(small_scorer, small_text):
    edited = broken(small_text, '          - find: ["right of access"]', '          - find: ["nothing-matches-this-phrase"]')
    before, after = _scored(small_scorer), _scored(Scorer(load_rubric_text(edited)))
    changed = {(sb.id, eb.id) for sb, sa in zip(before.steps, after.steps)
               for eb, ea in zip(sb.elements, sa.elements) if eb.credit != ea.credit}
    assert changed == {("rights", "access")}
    assert all(sb.score == sa.score for sb, sa in zip(before.steps, after.steps) if sb.id != "rights")
    assert before.rubric_version == after.rubric_version
    assert before.rubric_hash != after.rubric_hash


def test_load_rubric_missing_file(tmp_path):
    with pytest.raises(RubricError) as info:
        load_rubric(tmp_path / "missing.yaml")
    assert "file not found" in str(info.value)


def test_rubric_schema_loads_without_the_matching_stage():
    """rubric.py (schema) never imports the matchers: no import circle between them."""
    import subprocess
    import sys

    code = ("import sys, scoring.rubric as r; "
            "r.parse_rubric_text(open('rubric.yaml').read()); "
            "assert 'scoring.patterns' not in sys.modules and 'spacy' not in sys.modules, sorted(sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_key_written_twice_is_an_error_not_silently_dropped(small_text):
    # Found while tuning: a rule with two `with:` lists silently lost the first one.
    anchor = '          - find: ["profile", "profiling"]\n            with: ["voters"]\n'
    text = broken(small_text, anchor, anchor + '            with: ["share"]\n')
    [p] = problems(text).problems
    assert "written twice" in p.message and p.path.endswith(".with")
    assert p.line == line_of(text, anchor) + 2


def test_from_spending_typos_and_misuse_are_clear_errors_with_line_numbers(small_text):
    # A misspelt threshold names the key, its line and the right spelling.
    text = broken(small_text, "from_spending: {full_share: 1, partial_min: 1}",
                  "from_spending: {full_shar: 1, partial_min: 1}")
    msgs = [(p.path, p.line, p.message) for p in problems(text).problems]
    assert ("steps[1].elements[2].from_spending.full_shar", line_of(text, "{full_shar:"),
            "unknown key 'full_shar' (did you mean 'full_share'?)") in msgs
    # A share above 1 and a misspelt field name are refused too.
    text = broken(small_text, "full_share: 1,", "full_share: 2,")
    [p] = problems(text).problems
    assert p.path == "steps[1].elements[2].from_spending.full_share" and "less than or equal to 1" in p.message
    text = broken(small_text, "        from_spending: {full_share", "        from_spendng: {full_share")
    msgs = [p.message for p in problems(text).problems]
    assert "unknown key 'from_spendng' (did you mean 'from_spending'?)" in msgs
    # An element answered by the returns takes no text rules.
    text = broken(small_text, "        from_spending: {full_share: 1, partial_min: 1}\n",
                  "        from_spending: {full_share: 1, partial_min: 1}\n        full: [\"paid\"]\n")
    [p] = problems(text).problems
    assert p.path == "steps[1].elements[2]" and p.line == line_of(text, "id: paid-suppliers-named")
    assert "answered by the spending returns alone" in p.message
    # "from_spending: true" takes the default thresholds.
    text = broken(small_text, "from_spending: {full_share: 1, partial_min: 1}", "from_spending: true")
    element = load_rubric_text(text).step("suppliers").elements[2]
    assert (element.from_spending.full_share, element.from_spending.partial_min) == (1.0, 1)


def _rights_score(scorer, text: str) -> float:
    return scorer.score_texts([("https://party.example/privacy", "privacy_notice", text)]).step("rights").score


def test_full_needs_holds_a_step_below_full_until_the_element_it_needs_is_full(small_text):
    needing = Scorer(load_rubric_text(broken(small_text, "    source: test\n    elements:\n      - id: access",
                                             "    source: test\n    full_needs: [how-to-exercise]\n"
                                             "    elements:\n      - id: access")))
    access_only = "You have the right of access to your data."
    assert _rights_score(Scorer(load_rubric_text(small_text)), access_only) == 50.0
    assert _rights_score(needing, access_only) == 50.0  # below full anyway: nothing to hold
    both = access_only + "\n\n## Your rights\n\nWrite to rights@party.example.\n"
    assert _rights_score(needing, both) == 100.0


def test_full_needs_caps_a_mean_that_reaches_full_without_the_element(small_text):
    weighted = broken(small_text, "      - id: access\n", "      - id: access\n        weight: 3\n")
    text = "You have the right of access to your data."
    assert _rights_score(Scorer(load_rubric_text(weighted)), text) == 75.0  # the mean alone: full class
    needing = broken(weighted, "    source: test\n    elements:\n      - id: access",
                     "    source: test\n    full_needs: [how-to-exercise]\n    elements:\n      - id: access")
    assert _rights_score(Scorer(load_rubric_text(needing)), text) == 74.9  # partial class


def test_some_is_partial_lifts_any_answer_to_the_partial_class(small_text):
    weighted = broken(small_text, "      - id: access\n", "      - id: access\n        weight: 9\n")
    route_only = "## Your rights\n\nWrite to rights@party.example.\n"
    assert _rights_score(Scorer(load_rubric_text(weighted)), route_only) == 10.0
    lifted = broken(weighted, "    source: test\n    elements:\n      - id: access",
                    "    source: test\n    some_is_partial: true\n    elements:\n      - id: access")
    assert _rights_score(Scorer(load_rubric_text(lifted)), route_only) == 25.0
    assert _rights_score(Scorer(load_rubric_text(lifted)), "Nothing about rights here.") == 0.0


def test_full_needs_naming_an_element_the_step_lacks_is_an_error_with_its_line(small_text):
    text = broken(small_text, "    source: test\n    elements:\n      - id: access",
                  "    source: test\n    full_needs: [ico]\n    elements:\n      - id: access")
    [p] = problems(text).problems
    assert p.path == "steps[7].full_needs[0]" and "full_needs must name elements of step 'rights'" in p.message
    assert p.line == line_of(text, "full_needs: [ico]")


def _access_credit(rubric_text: str, sentence: str) -> str:
    card = Scorer(load_rubric_text(rubric_text)).score_texts([("https://party.example/privacy", "privacy_notice",
                                                                sentence)])
    return [e for e in card.step("rights").elements if e.id == "access"][0].credit.value


@pytest.mark.parametrize("find, sentence, credit", [
    # written in dictionary form: every form of the word
    ('["share a copy"]', "We shared a copy with you.", "full"),
    ('["share a copy"]', "We are sharing a copy with you.", "full"),
    ('[[{LEMMA: "buy"}, {LOWER: "a"}]]', "You bought a copy.", "full"),
    # written inflected: that form (and its plural) only, as the maintainer chose it
    ('["updated copy"]', "We send an updated copy.", "full"),
    ('["updated copy"]', "We update copies.", "none"),
    ('[[{LEMMA: "sent"}]]', "We will send it.", "none"),
    # the dictionary's odd entries ("data" -> "datum", "as" -> "a") are matched as written
    ('["data as"]', "We keep data as agreed.", "full"),
    ('["data as"]', "We keep datum a year.", "none"),
])
def test_a_phrase_in_dictionary_form_finds_every_form_an_inflected_one_only_itself(small_text, find, sentence,
                                                                                    credit):
    edited = broken(small_text, '          - find: ["right of access"]', f"          - find: {find}")
    assert _access_credit(edited, sentence) == credit


def test_the_lookup_table_gives_dictionary_forms():
    from scoring.nlp import lemma_of, lemma_table

    table = lemma_table()
    assert [lemma_of(table, w) for w in ("collected", "sent", "bought", "newsletters", "parties")] == \
        ["collect", "send", "buy", "newsletter", "party"]
