"""parties.yaml mistakes are reported with the entry, the field and the line."""

import textwrap

import pytest

from partywatch.parties import PartiesError, load_parties, party_aliases, select_parties
from partywatch.paths import REPO_ROOT

GOOD = """\
parties:
  - id: snp
    name: Scottish National Party
    jurisdiction: GB-SCT
    homepage: https://www.snp.org/
    documents:
      - {url: https://www.snp.org/privacy-notice/, kind: privacy_notice}
  - id: labour
    name: Labour Party
    jurisdiction: GB
    homepage: https://labour.org.uk/
"""


def problems(tmp_path, text):
    path = tmp_path / "parties.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(PartiesError) as caught:
        load_parties(path)
    return [line.replace(str(path), "parties.yaml") for line in caught.value.problems]


def test_the_shipped_parties_file_is_valid():
    parties = load_parties(REPO_ROOT / "parties.yaml")
    ids = {p.id for p in parties}
    assert {"conservatives", "labour", "libdems", "snp", "green-ew", "scottish-greens",
            "reform-uk", "plaid-cymru", "dup", "sinn-fein", "alliance", "sdlp", "uup",
            "ukip"} <= ids


def test_a_good_file_loads_with_its_hosts(tmp_path):
    path = tmp_path / "parties.yaml"
    path.write_text(GOOD)
    snp, labour = load_parties(path)
    assert snp.hosts == {"www.snp.org"}
    assert snp.documents[0].kind == "privacy_notice"
    assert labour.documents == []


def test_missing_homepage(tmp_path):
    text = GOOD.replace("    homepage: https://labour.org.uk/\n", "")
    assert problems(tmp_path, text) == ["parties.yaml:8: parties[1] (labour).homepage: field required"]


def test_duplicate_id(tmp_path):
    text = GOOD.replace("id: labour", "id: snp")
    assert problems(tmp_path, text) == [
        "parties.yaml:8: parties[1] (snp).id: duplicate id, already used by parties[0]"]


def test_malformed_url(tmp_path):
    text = GOOD.replace("https://labour.org.uk/", "labour.org.uk")
    assert problems(tmp_path, text) == [
        "parties.yaml:11: parties[1] (labour).homepage: not an http(s) URL: 'labour.org.uk'"]


def test_unknown_key(tmp_path):
    text = GOOD.replace("    jurisdiction: GB\n", "    jurisdiction: GB\n    homepgae: x\n")
    assert problems(tmp_path, text) == ["parties.yaml:11: parties[1] (labour).homepgae: unknown key 'homepgae'"]


def test_bad_id_and_bad_document_kind_are_both_reported(tmp_path):
    text = GOOD.replace("id: snp", "id: SNP!").replace("kind: privacy_notice", "kind: privacy")
    found = problems(tmp_path, text)
    assert len(found) == 2
    assert found[0].startswith("parties.yaml:2: parties[0] (SNP!).id: 'SNP!' is not a lowercase id")
    assert found[1] == ("parties.yaml:7: parties[0] (SNP!).documents[0].kind: expected one of privacy_notice, "
                        "supplier_list, cookie_policy, other, got 'privacy'")


def test_yaml_syntax_error_names_the_line(tmp_path):
    found = problems(tmp_path, GOOD.replace("name: Labour Party", "name: [Labour"))
    assert found == ["parties.yaml:10: not valid YAML: while parsing a flow sequence expected ',' or ']', but got ':'"]


def test_unknown_party_selection_lists_the_known_ones(tmp_path):
    path = tmp_path / "parties.yaml"
    path.write_text(GOOD)
    with pytest.raises(PartiesError, match="unknown party 'tories'; parties.yaml has: labour, snp"):
        select_parties(load_parties(path), ("tories",))


def test_aliases_are_read_for_the_bot_and_the_cli(tmp_path):
    path = tmp_path / "parties.yaml"
    path.write_text(GOOD.replace("    jurisdiction: GB\n", "    jurisdiction: GB\n    aliases: [lab, labour party]\n"))
    snp, labour = load_parties(path)
    assert snp.aliases == [] and labour.aliases == ["lab", "labour party"]
    assert party_aliases([snp, labour]) == {"labour": ["lab", "labour party"]}


def test_the_shipped_aliases_name_the_parties_people_mean():
    aliases = party_aliases(load_parties(REPO_ROOT / "parties.yaml"))
    assert "tories" in aliases["conservatives"] and "lib dems" in aliases["libdems"]


@pytest.mark.parametrize("aliases, expected", [
    # an entry that is no name at all, in a block list: the line of the entry itself
    ("    aliases:\n      - lab\n      - '--'\n",
     "parties.yaml:13: parties[1] (labour).aliases[1]: '--' is not a name (it has no letters or digits)"),
    ("    aliases: [lab, 7]\n", "parties.yaml:11: parties[1] (labour).aliases[1]: expected text, got 7"),
    ("    aliases: lab\n", "parties.yaml:11: parties[1] (labour).aliases: expected a list, got 'lab'"),
    # an alias that already names another party would make "/score scottish national" ambiguous
    ("    aliases: [lab, Scottish National Party]\n",
     "parties.yaml:11: parties[1] (labour).aliases[1]: 'Scottish National Party' already names snp; "
     "an alias must name one party"),
    ("    aliases: [lab]\n    aliases: [labs]\n",
     "parties.yaml:12: parties[1] (labour).aliases: written twice (also on line 11); YAML would keep "
     "only the last one"),
])
def test_a_bad_alias_is_reported_with_its_line(tmp_path, aliases, expected):
    text = GOOD.replace("    jurisdiction: GB\n", "    jurisdiction: GB\n" + aliases)
    assert problems(tmp_path, text) == [expected]


def test_an_id_too_long_for_the_bots_buttons(tmp_path):
    found = problems(tmp_path, GOOD.replace("id: labour", "id: " + "l" * 33))
    assert found == [f"parties.yaml:8: parties[1] ({'l' * 33}).id: '{'l' * 33}' is longer than 32 characters "
                     "(it must fit in the bot's buttons)"]


@pytest.mark.parametrize("text, expected", [
    ("parties:\n  - snp\n", ["parties.yaml:2: parties[0]: expected a mapping of id, name, jurisdiction, homepage, "
                             "ec_id, render, archive_fallback, got 'snp'"]),
    ("parties: snp\n", ["parties.yaml:1: parties: expected a list of parties, got 'snp'"]),
    ("party: []\n", ["parties.yaml:1: party: unknown key 'party'", "parties.yaml:1: parties: field required"]),
    (GOOD.replace("    homepage: https://labour.org.uk/\n", "    homepage: https://labour.org.uk/\n    render: yes please\n"),
     ["parties.yaml:12: parties[1] (labour).render: expected true or false, got 'yes please'"]),
    (GOOD.replace("    name: Labour Party\n", "    name: 7\n    ec_id: Labour\n"),
     ["parties.yaml:9: parties[1] (labour).name: expected text, got 7",
      "parties.yaml:10: parties[1] (labour).ec_id: 'Labour' is not an Electoral Commission registration number like PP52"]),
    (GOOD.replace("{url: https://www.snp.org/privacy-notice/, kind: privacy_notice}", "{kind: privacy_notice}"),
     ["parties.yaml:7: parties[0] (snp).documents[0].url: field required"]),
])
def test_every_wrong_shape_is_reported_with_its_line(tmp_path, text, expected):
    assert problems(tmp_path, text) == expected


def test_left_out_fields_take_their_defaults(tmp_path):
    path = tmp_path / "parties.yaml"
    path.write_text(GOOD.replace("{url: https://www.snp.org/privacy-notice/, kind: privacy_notice}",
                                 "{url: https://www.snp.org/privacy-notice/, render: true}"))
    snp, labour = load_parties(path)
    assert (snp.documents[0].kind, snp.documents[0].render, snp.renders) == ("privacy_notice", True, True)
    assert (labour.ec_id, labour.render, labour.archive_fallback, labour.aliases, labour.renders) == (
        None, False, False, [], False)
