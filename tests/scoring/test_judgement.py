"""Credits a party could rightly contest are not given; their honest counterparts are.

Each pair below is a pattern found on real notices: a sentence that must not be credited
for an element, beside one that must.
"""

from __future__ import annotations


def credit(scorer, text, step, element, kind="privacy_notice"):
    card = scorer.score_texts([("https://party.example/privacy", kind, text)])
    el = [e for e in card.step(step).elements if e.id == element][0]
    return el.credit, [ev.quote for ev in el.evidence]


def test_a_heading_alone_is_never_evidence(scorer):
    text = "# Privacy notice\n## Polls and surveys\n## How long we keep your data\n"
    card = scorer.score_texts([("u", "privacy_notice", text)])
    quotes = [ev.quote for s in card.steps for e in s.elements for ev in e.evidence]
    assert quotes == []


def test_an_unmarked_sentence_case_heading_is_not_evidence(scorer):
    # plain text, as a PDF or a text archive gives it: the headings carry no markup, are in
    # sentence case, and sit over short paragraphs
    text = ("This notice explains how we use your personal data.\n\n"
            "Special category data\n\nWe keep your details safe and never sell them.\n\n"
            "Information we receive from the electoral register\n\n"
            "We do not share your details with anyone outside the party.\n")
    assert credit(scorer, text, "special-category", "political-opinions") == ("none", [])
    assert credit(scorer, text, "data-sources", "electoral-register") == ("none", [])
    # a line that a PDF wrapped is still read with the rest of its sentence
    wrapped = ("We receive information about the voters in each ward from the electoral\n"
               "register, which councils supply to registered parties.\n")
    assert credit(scorer, wrapped, "data-sources", "electoral-register")[0] == "full"


def test_a_contact_line_is_not_a_route_for_rights(scorer):
    footer = "Contact: info@party.example · Promoted by J. Smith, 1 High Street\n"
    assert credit(scorer, footer, "rights", "how-to-exercise") == ("none", [])
    piped = "Contact: info@party.example | Party Central Office, 5 Park Street\n"
    assert credit(scorer, piped, "rights", "how-to-exercise") == ("none", [])
    honest = "To use any of these rights, email privacy@party.example.\n"
    assert credit(scorer, honest, "rights", "how-to-exercise")[0] == "full"


def test_a_contact_line_or_email_is_not_a_named_supplier(scorer):
    text = ("## Contact\nEmail: info@party.example\n"
            "Our website is hosted by our own team and you can email support@party.example with questions.\n")
    got, _ = credit(scorer, text, "suppliers", "named-suppliers")
    assert got == "none"
    honest = ("## Our suppliers\nSupplier | Role\nNationBuilder | Membership database (CRM)\n"
              "Acme Print Ltd | Printing leaflets\nMailchimp | Email newsletters\n")
    assert credit(scorer, honest, "suppliers", "named-suppliers")[0] == "full"


def test_hosting_and_analytics_providers_alone_are_partial(scorer):
    text = "We use Google Analytics for website statistics and our site is hosted by Amazon Web Services."
    assert credit(scorer, text, "suppliers", "named-suppliers")[0] == "partial"


def test_cookie_consent_is_not_the_condition_for_political_opinions(scorer):
    text = "## Cookies\nWe ask for your explicit consent before we set non-essential cookies."
    assert credit(scorer, text, "special-category", "condition")[0] == "none"
    honest = ("We process your political opinions under the condition in Schedule 1, paragraph 22 of the "
              "Data Protection Act 2018.")
    assert credit(scorer, honest, "special-category", "condition")[0] == "full"


def test_a_security_sentence_about_sensitive_information_is_not_special_category_data(scorer):
    text = "When we transfer sensitive information such as card numbers, we encrypt it with SSL."
    assert credit(scorer, text, "special-category", "political-opinions")[0] == "none"
    honest = "Information about your political opinions is special category data."
    assert credit(scorer, honest, "special-category", "political-opinions")[0] == "full"


def test_keeping_canvassing_data_is_not_collecting_it(scorer):
    text = "We keep canvassing data for four years."
    assert credit(scorer, text, "data-sources", "canvassing")[0] == "none"
    honest = "Our volunteers record your answers when they canvass at your door."
    assert credit(scorer, honest, "data-sources", "canvassing")[0] == "full"


def test_one_generic_basis_is_not_a_basis_per_purpose(scorer):
    text = "We rely on consent to process your personal data."
    assert credit(scorer, text, "lawful-basis", "per-purpose")[0] == "none"
    one = "Our lawful basis for canvassing is public task (democratic engagement)."
    assert credit(scorer, one, "lawful-basis", "per-purpose")[0] == "partial"  # one activity
    honest = ("## Why we may use your data\nPurpose | Lawful basis\nCanvassing | Public task: democratic engagement\n"
              "Newsletters | Consent\nDonations | Legal obligation\n")
    assert credit(scorer, honest, "lawful-basis", "per-purpose")[0] == "full"


def test_a_legal_duty_for_donations_is_a_partial_basis(scorer):
    text = "Federal law requires us to collect the name, address, occupation and employer of each donor."
    assert credit(scorer, text, "lawful-basis", "bases-named")[0] == "partial"


def test_a_basis_named_only_as_the_condition_of_a_right_is_not_the_bases_relied_on(scorer):
    # rights bullets of real notices, quoted as the bases relied on (full) and rejected by a reader
    for text in ("* **Right to object:** You can object to our processing of your personal information where we "
                 "are relying on a legitimate interest and there is something about your particular situation "
                 "which makes you want to object to processing on this ground.",
                 "* **Erasure:** You can ask us to delete your personal information where it is no longer "
                 "necessary for us to use it, you have withdrawn consent, or where we have no lawful basis for "
                 "keeping it."):
        assert credit(scorer, text, "lawful-basis", "bases-named")[0] != "full", text
    honest = ("This processing occurs because it is necessary to meet our legitimate interests in operating and "
              "improving the website, analysing its use, and ensuring its security.")
    assert credit(scorer, honest, "lawful-basis", "bases-named")[0] == "full"


def test_retention_sentences_are_about_retention(scorer):
    for text in ("You must be 13 years old to use this site.",
                 "Cookies expire after 2 years and are kept by your browser.",
                 "We held 12 events last year."):
        assert credit(scorer, text, "retention", "periods")[0] == "none", text
    assert credit(scorer, "We keep canvassing records for 2 years after the election.",
                  "retention", "periods")[0] == "partial"  # one period for one category
    two = ("We keep canvassing records for 2 years after the election.\n"
           "Donor records are kept for 6 years, as the law requires.")
    assert credit(scorer, two, "retention", "periods")[0] == "full"


def test_a_table_row_under_a_retention_heading_is_credited_with_its_period(scorer):
    text = ("## How long we keep it\nRecord | Period\nCanvass records | 5 years\n"
            "Donor records | 6 years\n")
    got, quotes = credit(scorer, text, "retention", "periods")
    assert got == "full"
    assert quotes[0] in ("Canvass records | 5 years", "Donor records | 6 years")


def test_a_hedged_supplier_sentence_is_capped_at_partial(scorer):
    text = "We may work with carefully selected partners who provide printing and email services."
    assert credit(scorer, text, "suppliers", "supplier-categories")[0] == "partial"


def test_negation_stays_in_its_clause(scorer):
    # the hedge and the negation govern their own clause, not the purchase in the other
    hedged_elsewhere = "We may send you newsletters, but we buy lifestyle data from Experian."
    assert credit(scorer, hedged_elsewhere, "data-sources", "commercial-data")[0] == "full"
    negated_elsewhere = "We do not sell your data, but we buy lifestyle data from Experian."
    rules = [c.detail["rule"] for c in scorer.claims(negated_elsewhere, "u") if c.element_id == "commercial-data"]
    assert rules == ["data-sources/commercial-data/full[0]"]  # the purchase, not a "we buy none"
    assert credit(scorer, "We do not buy data from data brokers.", "data-sources", "commercial-data")[0] == "full"


def test_every_claim_says_which_rule_made_it(scorer):
    claims = scorer.claims("We keep canvassing records for 2 years after the election.", "u")
    assert claims and all(c.detail and c.detail.get("rule") for c in claims)
    assert any(c.detail["rule"].startswith("retention/periods/partial") for c in claims)


def test_the_strongest_quote_comes_first(scorer):
    text = ("Changes: we updated the list of suppliers in 2024.\n"
            "## Our suppliers\nSupplier | Role\nNationBuilder | Membership database (CRM)\n")
    _, quotes = credit(scorer, text, "suppliers", "named-suppliers")
    assert quotes[0] == "NationBuilder | Membership database (CRM)"


def test_a_date_and_a_change_notice_together_are_full(scorer):
    assert credit(scorer, "Last updated 1 May 2025.", "accountability", "versioned")[0] == "partial"
    both = ("Last updated 1 May 2025.\n"
            "If we change this notice, we will post the changes on this page and notify you by email.")
    assert credit(scorer, both, "accountability", "versioned")[0] == "full"


def test_a_credit_shows_the_sentence_that_earns_it_not_every_one_that_touches_on_it(scorer):
    text = ("You have the right to access your data.\n"
            "You have the right to request a copy of the personal information we hold about you.\n"
            "You can ask for access to your personal data by writing to us.")
    assert credit(scorer, text, "rights", "access") == (
        "full", ["You have the right to request a copy of the personal information we hold about you."])


def test_a_credit_that_adds_up_shows_the_answers_it_adds_up_from(scorer):
    both = ("Last updated 1 May 2025.\n"
            "If we change this notice, we will post the changes on this page and notify you by email.")
    got, quotes = credit(scorer, both, "accountability", "versioned")
    assert got == "full" and len(quotes) == 2


def test_a_run_in_bold_label_is_a_heading_not_evidence(scorer):
    text = "- **The electoral roll.** Every year we receive the full electoral register from the council."
    _, quotes = credit(scorer, text, "data-sources", "electoral-register")
    assert quotes == ["Every year we receive the full electoral register from the council."]


def test_a_list_item_set_in_bold_alone_is_a_heading_not_evidence(scorer):
    # the bullet is not one of the heading's words: six words in bold are a heading
    text = ("* **Requesting a copy of your information**\n\n"
            "   o  You can ask us what we hold about you by writing to the Information Rights Team.\n")
    _, quotes = credit(scorer, text, "rights", "access")
    assert quotes == ["o  You can ask us what we hold about you by writing to the Information Rights Team."]


def test_a_line_of_the_change_log_dates_the_notice_and_is_no_evidence_of_a_practice(scorer):
    text = ("## Changes to this notice\n"
            "July 2011: Principles updated to include further information on online behavioural advertising "
            "and cookies.\n"
            "* **September 2025**: added our use of the Meta Pixel and the list of processors.\n")
    assert credit(scorer, text, "online-targeting", "pixels") == ("none", [])
    assert credit(scorer, text, "suppliers", "named-suppliers") == ("none", [])
    assert credit(scorer, text, "accountability", "versioned")[0] != "none"
    honest = "Our website uses the Meta Pixel to show our adverts to people who visited it."
    assert credit(scorer, honest, "online-targeting", "pixels")[0] == "full"


def test_naming_the_data_controller_is_not_a_privacy_contact(scorer):
    text = "The data controller for your personal data is the Party."
    assert credit(scorer, text, "accountability", "dpo") == ("none", [])
    honest = "## Data protection\nQuestions about your data? Email data-protection@party.example"
    assert credit(scorer, honest, "accountability", "dpo")[0] == "partial"


def test_off_topic_sentences_are_never_evidence(scorer):
    text = ("## Children's privacy\nParents with questions may email privacy@party.example.\n"
            "If you are a job applicant, we keep your application for 6 months.")
    card = scorer.score_texts([("u", "privacy_notice", text)])
    assert [ev.quote for s in card.steps for e in s.elements for ev in e.evidence] == []


def test_words_in_a_run_in_label_are_context_not_evidence(scorer):
    # the label names the topic; the sentence after it says nothing about it
    text = "**Opting out of Advertising Cookies:** The party respects your right to privacy on the internet."
    assert credit(scorer, text, "online-targeting", "pixels") == ("none", [])
    honest = "**Advertising:** Our website uses the Meta Pixel to show our adverts to people who visited it."
    got, quotes = credit(scorer, honest, "online-targeting", "pixels")
    assert got == "full" and quotes[0].startswith("**Advertising:** Our website uses the Meta Pixel")


def test_an_unmarked_numbered_heading_is_not_evidence(scorer):
    text = "2.4 Targeted Advertising.\n\nWe publish our accounts every year.\n"
    assert credit(scorer, text, "online-targeting", "custom-audiences") == ("none", [])
    # a date written like a heading still dates the notice
    dated = "Last Updated May 21, 2019\n\nWe will post any changes to this notice on this page.\n"
    assert credit(scorer, dated, "accountability", "versioned")[0] == "full"


def test_a_run_on_list_is_read_item_by_item(scorer):
    text = ("We may share this information outside of the party if (1) you authorize us to do so; "
            "(2) it is necessary to allow our service providers to provide services for us, "
            "(3) it is necessary in connection with other business purposes including customer care, "
            "service quality, risk assessment, security, fraud prevention, research and analysis, "
            "marketing, customer purchasing preferences and trends, credit checking and debt collection, "
            "(4) it is necessary for us to provide it to our attorneys, accountants, regulators, auditors "
            "or other advisors, or (5) otherwise as we are required or permitted by law or required to "
            "comply with legal process served upon us, our agents, representatives or our affiliates "
            "in any jurisdiction where we operate or where our service providers are located.")
    assert credit(scorer, text, "rights", "ico-complaint") == ("none", [])
    assert credit(scorer, text, "accountability", "dpia") == ("none", [])


def test_a_general_contact_is_partial_and_a_rights_contact_full(scorer):
    general = "If you have any questions, comments, or concerns, please contact us by e-mail at hello@party.example."
    assert credit(scorer, general, "rights", "how-to-exercise")[0] == "partial"
    help_line = "For additional help, text HELP to 12345 or contact info@party.example."
    assert credit(scorer, help_line, "rights", "how-to-exercise") == ("none", [])
    assert credit(scorer, help_line, "accountability", "dpo") == ("none", [])
    # the address follows the rights it is for, in the same paragraph
    rights = "You can ask us what we hold about you and ask us to correct it. Contact data@party.example."
    got, quotes = credit(scorer, rights, "rights", "how-to-exercise")
    assert got == "full" and quotes == [rights]  # the address with the words that say what it is for


def test_a_thank_you_for_support_is_not_a_political_opinion(scorer):
    text = "We are thankful for your support, and we want to recognise you."
    assert credit(scorer, text, "special-category", "political-opinions") == ("none", [])
    honest = "We record whether you support us, which reveals your political positions."
    assert credit(scorer, honest, "special-category", "political-opinions")[0] == "partial"


def test_a_notice_does_not_name_its_publisher_as_its_supplier(scorer):
    text = "We (meaning Anedot, Inc.) use a payment platform to process your donations and send e-mail receipts."
    card = scorer.score_texts([("https://www.anedot.com/privacy", "privacy_notice", text)])
    el = [e for e in card.step("suppliers").elements if e.id == "named-suppliers"][0]
    assert el.credit == "none"


def test_a_hedged_named_supplier_earns_only_partial(scorer):
    def supplier_credits(text):
        return [c.credit for c in scorer.claims(text, "https://party.example/privacy")
                if c.element_id == "named-suppliers"]
    hedged = "We may use third-party vendors, including NationBuilder, to run our voter database."
    assert supplier_credits(hedged) == ["partial"]
    assert supplier_credits("We use NationBuilder to run our voter database.") == ["full"]
    # an ad platform is where adverts run: incidental, hedged or not
    assert supplier_credits("We use Google to place our online advertising.") == ["partial"]


def test_one_sentence_giving_several_bases_adds_up(scorer):
    one = "For our newsletters we rely on your consent."
    assert credit(scorer, one, "lawful-basis", "bases-named")[0] == "partial"
    several = ("We rely on democratic engagement (public task) for canvassing, on consent for our email "
               "newsletter, and on legitimate interests for keeping a record of people who asked us not to "
               "contact them.")
    assert credit(scorer, several, "lawful-basis", "bases-named")[0] == "full"
    assert credit(scorer, several, "lawful-basis", "per-purpose")[0] == "full"


def test_somewhere_to_write_without_an_address_is_partial(scorer):
    text = "If you wish to exercise any of your rights, please write to the General Secretary."
    assert credit(scorer, text, "rights", "how-to-exercise")[0] == "partial"
    honest = "If you wish to exercise any of your rights, please email dpo@party.example."
    assert credit(scorer, honest, "rights", "how-to-exercise")[0] == "full"


def test_a_denial_the_notice_contradicts_earns_only_the_admission(scorer):
    denial = "The only personal information collected is information you give us."
    assert credit(scorer, denial, "data-sources", "commercial-data")[0] == "full"
    contradicted = (denial + "\n\nThe cookies may reflect demographic data linked to data you have "
                    "submitted to us that we may share with a data provider.")
    got, quotes = credit(scorer, contradicted, "data-sources", "commercial-data")
    assert got == "partial"
    assert quotes and all("data provider" in q for q in quotes)


def test_a_negated_mention_does_not_contradict_a_denial(scorer):
    text = "We never buy data from data brokers. We don't use consumer or lifestyle data of any kind."
    got, quotes = credit(scorer, text, "data-sources", "commercial-data")
    assert got == "full"
    assert "We never buy data from data brokers." in quotes


def test_an_app_tailoring_its_user_experience_is_not_profiling_voters(scorer):
    text = ("The Services include features that automatically collect your device identifier "
            "for creating a more tailored user experience.")
    assert credit(scorer, text, "profiling", "profiling-disclosed")[0] == "none"
    honest = "We use what you tell us to tailor the emails we send you to the issues you care about."
    assert credit(scorer, honest, "profiling", "profiling-disclosed")[0] == "partial"


def test_an_account_profile_is_not_a_profiling_purpose(scorer):
    text = ("To create an Account we require you to provide additional information to create your "
            "profile and for verification and fraud prevention purposes.")
    assert credit(scorer, text, "profiling", "profiling-purpose")[0] == "none"


def test_an_opt_out_pointer_is_not_a_targeting_criterion(scorer):
    text = "For more information about digital advertising, or to opt out of targeted ads, visit aboutads.info."
    assert credit(scorer, text, "message-transparency", "targeting-criteria")[0] == "none"
    honest = "Advertising networks help us target advertising to users based on their activity on our site."
    assert credit(scorer, honest, "message-transparency", "targeting-criteria")[0] == "partial"


def test_a_hedged_full_answer_is_shown_before_sentences_that_only_touch_on_it(scorer):
    named = "Where appropriate, we use the electoral register supplied by councils to contact voters."
    text = "We also add details from public records.\n\n" + named + "\n"
    got, quotes = credit(scorer, text, "data-sources", "electoral-register")
    assert got == "partial"
    assert quotes == [named]


def test_questions_that_may_be_directed_to_someone_are_not_a_hedge(scorer):
    text = "Questions about this privacy policy may be directed to Jane Doe at jane@party.example."
    assert credit(scorer, text, "accountability", "dpo") == ("full", [text])


def test_a_clear_no_to_profiling_in_its_own_list_item_is_quoted_with_what_it_answers(scorer):
    item = ("h) Rights relating to automated decision-making and profiling. "
            "We do not use your personal data in this way.")
    assert credit(scorer, item, "profiling", "profiling-disclosed") == ("full", [item])


def test_linking_browsing_data_to_a_person_is_profiling_but_a_hyperlink_is_not(scorer):
    text = "We may link your Non-Personally Identifiable Information with your Personally Identifiable Information."
    assert credit(scorer, text, "profiling", "profiling-disclosed") == ("partial", [text])
    definition = ("The term personal information means information about an individual that is directly "
                  "linked to personally identifiable information.")
    assert credit(scorer, definition, "profiling", "profiling-disclosed")[0] == "none"


def test_analysing_server_logs_is_not_a_profiling_purpose(scorer):
    logs = "We log IP addresses and analyze them for systems administration and troubleshooting purposes."
    assert credit(scorer, logs, "profiling", "profiling-purpose")[0] == "none"
    donors = "We may analyze this information for the purpose of providing consulting services to the campaigns."
    assert credit(scorer, donors, "profiling", "profiling-purpose")[0] == "partial"


def test_an_account_page_is_some_access_and_instructing_the_party_is_the_right(scorer):
    account = "You can view or modify information stored with your user account by logging in."
    assert credit(scorer, account, "rights", "access")[0] == "partial"
    right = "You may instruct us to provide you with any personal information we hold about you."
    assert credit(scorer, right, "rights", "access")[0] == "full"


def test_a_platform_named_with_may_is_still_named(scorer):
    text = "We may place online advertising with third-party vendors, including Google."
    assert credit(scorer, text, "online-targeting", "platforms-named") == ("full", [text])


def test_an_address_for_unsubscribing_is_a_route_for_a_right(scorer):
    text = "You can unsubscribe by e-mailing info@party.example, but please allow a week for processing."
    assert credit(scorer, text, "rights", "how-to-exercise") == ("full", [text])
    assert credit(scorer, text, "accountability", "dpo")[0] == "none"


def test_only_party_staff_seeing_the_data_is_a_clear_no_unless_a_supplier_is_named(scorer):
    staff_only = "Information submitted is only available to party staff who manage this information."
    assert credit(scorer, staff_only, "suppliers", "named-suppliers") == ("full", [staff_only])
    sharing_only = "We will not pass your details to anyone else without asking you first."
    assert credit(scorer, sharing_only, "suppliers", "named-suppliers")[0] == "none"
    contradicted = staff_only + " We use Mailchimp Ltd to send our email newsletters."
    assert credit(scorer, contradicted, "suppliers", "named-suppliers")[0] == "partial"


def test_saying_who_gets_its_messages_is_a_targeting_criterion(scorer):
    text = ("If you received a message from us, you are either a party member, a recent donor or "
            "volunteer, or you have an existing relationship with us.")
    assert credit(scorer, text, "message-transparency", "targeting-criteria")[0] == "full"


def test_a_profile_of_an_individual_is_profiling(scorer):
    text = "The committee uses the information it holds to make a profile of an individual."
    assert credit(scorer, text, "profiling", "profiling-disclosed")[0] == "full"


def test_one_named_right_is_one_right_and_a_list_of_them_adds_up(scorer):
    one = "d) The right to be forgotten, i.e. the right to ask us to delete your personal data."
    assert credit(scorer, one, "rights", "other-rights")[0] == "partial"
    listed = ("## Your rights\n"
              "d) The right to be forgotten, i.e. the right to ask us to delete your personal data.\n\n"
              "e) The right to restrict (i.e. prevent) the processing of your personal data.\n\n"
              "g) The right to data portability.\n")
    got, quotes = credit(scorer, listed, "rights", "other-rights")
    assert got == "full" and len(quotes) >= 2  # the evidence shows two rights, not one


def test_updating_your_account_or_profile_is_some_access(scorer):
    text = "You may revise or update your information at any time by going to your “my profile” link on the website."
    assert credit(scorer, text, "rights", "access")[0] == "partial"
    # seeing what you gave on an account page is not the right to a copy of what is held
    text = ("You can see the information you have provided to us through the registration process by accessing "
            "the ‘My Account’ section of the website.")
    assert credit(scorer, text, "rights", "access")[0] == "partial"
    # asking by e-mail to update what you gave is a correction, not a way to see your data
    text = "If you would like to update your information, please contact us at info@party.example."
    assert credit(scorer, text, "rights", "access")[0] == "none"


def test_card_data_security_is_not_retention(scorer):
    text = ("Other than the last four digits of your card, we do not store any other cardholder data and are in "
            "compliance with the Payment Card Industry data security standards.")
    assert credit(scorer, text, "retention", "periods")[0] == "none"


def test_retargeting_described_without_the_word_cookie_is_a_pixel_and_an_opt_out_link_is_not(scorer):
    text = ("We may place online advertising with third-party vendors, including Google. In some cases, those "
            "third-party vendors may decide which ads to show you based on your prior visits to the Site.")
    got, quotes = credit(scorer, text, "online-targeting", "pixels")
    assert got == "full" and "prior visits" in quotes[0]
    opt_out = ("If you prefer to opt out of the use of these third-party cookies on the Site, you can do so by "
               "visiting the Network Advertising Initiative opt out page.")
    assert credit(scorer, opt_out, "online-targeting", "pixels")[0] == "none"


def step_score(scorer, text, step):
    return scorer.score_texts([("https://party.example/privacy", "privacy_notice", text)]).step(step).score


def test_rights_without_the_right_to_complain_stay_partial_and_a_route_alone_is_partial(scorer):
    rights = ("## Your rights\n\nYou have the right to ask for a copy of the personal data we hold about you, "
              "and the right to have it corrected or deleted. To use these rights, e-mail dpo@party.example.\n")
    assert 25 <= step_score(scorer, rights, "rights") < 75  # LABELLING.md: full needs the regulator
    complaint = rights + "\nYou can complain to the Information Commissioner's Office (ico.org.uk).\n"
    assert step_score(scorer, complaint, "rights") >= 75
    route = ("If you wish to exercise any of your rights under data protection law, please write to the "
             "General Secretary.")
    assert step_score(scorer, route, "rights") == 25.0  # "Partial: some of these"


def test_one_basis_in_two_names_is_one_basis_and_two_activities_mapped_are_a_basis_per_purpose(scorer):
    # "public task (democratic engagement)" was counted as two bases: bases-named full from one
    # basis for one activity (rubric 2026.23)
    one = "For canvassing we rely on public task (democratic engagement)."
    assert credit(scorer, one, "lawful-basis", "bases-named")[0] == "partial"
    assert credit(scorer, one, "lawful-basis", "per-purpose")[0] == "partial"
    # a basis for each of a small party's two activities maps its purposes (ELEMENTS.md: "a basis
    # stated for each main purpose"); it took three
    two = "Our lawful basis for campaigning is public task, and for email updates it is consent."
    assert credit(scorer, two, "lawful-basis", "per-purpose")[0] == "full"
    assert step_score(scorer, two, "lawful-basis") >= 75


def test_online_targeting_needs_an_ad_library_for_full_unless_none_of_it_is_done(scorer):
    techniques = ("We place adverts on Facebook, Instagram and Google. We upload our supporters' email addresses "
                  "to Facebook to build custom audiences and lookalike audiences. Our website uses the Meta pixel "
                  "and Google Ads conversion tracking.")
    assert 25 <= step_score(scorer, techniques, "online-targeting") < 75
    none_done = ("We do not run targeted adverts, we don't upload anyone's details to Facebook or Google, and our "
                 "website has no tracking pixels or advertising cookies.")
    assert step_score(scorer, none_done, "online-targeting") >= 75


def test_acknowledged_political_opinions_alone_are_partial_and_full_needs_the_condition(scorer):
    acknowledged = "We might collect details such as your name, postcode and opinions on the issues."
    assert step_score(scorer, acknowledged, "special-category") == 25.0
    identified = "Some of the information we hold, such as whether you support the party, reveals political opinions."
    assert step_score(scorer, identified, "special-category") < 75


def test_trusted_partners_who_help_run_the_party_are_not_a_kind_of_supplier(scorer):
    text = "We use a range of trusted partners to help us run the organisation."
    assert credit(scorer, text, "suppliers", "supplier-categories")[0] == "none"
    honest = "We share your details with service providers who help us deliver our newsletters."
    assert credit(scorer, honest, "suppliers", "supplier-categories")[0] == "partial"


def test_an_ad_industry_opt_out_is_not_an_objection_to_profiling_and_a_right_to_object_is(scorer):
    # ELEMENTS.md: partial is "a general right to object to processing"; a link to the
    # advertising industry's cookie opt-out is neither that nor an objection to profiling
    for text in ("If you would like to opt-out of third party behavioral advertising, please visit the "
                 "Digital Advertising Alliance site, http://www.aboutads.info/choices/.",
                 "If you prefer to opt out of the use of these third-party cookies on the Site, you can do so "
                 "by visiting the Network Advertising Initiative opt out page."):
        assert credit(scorer, text, "profiling", "profiling-objection") == ("none", [])
    general = "You have the right to object to us using your personal data for a particular purpose."
    assert credit(scorer, general, "profiling", "profiling-objection") == ("partial", [general])
    tied = "You can object to our use of your data for modelling and segmentation at any time by emailing us."
    assert credit(scorer, tied, "profiling", "profiling-objection")[0] == "full"


def test_ad_vendors_setting_cookies_are_not_the_partys_kinds_of_suppliers(scorer):
    # Real notices: "These vendors have their own privacy policies and may be members of the
    # Network Advertising Initiative" was quoted as the kinds of suppliers the party uses.
    cookies = ("## Cookies\nWe work with advertising vendors who may place their own cookies on your browser "
               "and provide services based on your visits.\n")
    assert credit(scorer, cookies, "suppliers", "supplier-categories") == ("none", [])
    sharing = ("## Who we share your data with\nWe share your details with service providers who help us "
               "deliver our campaign, such as printers and email providers.\n")
    got, quotes = credit(scorer, sharing, "suppliers", "supplier-categories")
    assert got == "full" and quotes == ["We share your details with service providers who help us deliver our "
                                        "campaign, such as printers and email providers."]


def test_a_bold_statement_is_not_a_heading_over_what_follows_and_a_bold_numbered_title_is(scorer):
    # "**Log files are used to track and monitor subscriber usage.**" was read as a heading:
    # the rest of the notice sat in its section, a cookies-and-logs section.
    text = ("## Who we share your data with\n"
            "**Log files are used to track and monitor usage.**\n"
            "We share your details with service providers who help us deliver our campaign, "
            "such as printers and email providers.\n")
    got, quotes = credit(scorer, text, "suppliers", "supplier-categories")
    assert got == "full" and quotes[0].startswith("We share your details with service providers")
    card = scorer.score_texts([("u", "privacy_notice", "****3.5 How Long We Keep Your Data.****\n")])
    assert [ev.quote for s in card.steps for e in s.elements for ev in e.evidence] == []


def test_us_voter_files_are_the_electoral_register_and_public_records_only_partial(scorer):
    # ELEMENTS.md: "(US) voter files / voter registration records" are the register.
    voter_file = "We combine the information you give us with voter file data maintained by state election officials."
    assert credit(scorer, voter_file, "data-sources", "electoral-register") == ("full", [voter_file])
    public = "We may add information from public records to what you give us."
    assert credit(scorer, public, "data-sources", "electoral-register")[0] == "partial"


def test_asking_for_access_to_your_information_is_the_right_of_access_and_staff_access_is_not(scorer):
    request = ("You may request access to, correction of, or deletion of your personal information "
               "by emailing privacy@campaign.example.")
    assert credit(scorer, request, "rights", "access") == ("full", [request])
    staff = "Only employees who need access to your personal information to do their jobs are given it."
    assert credit(scorer, staff, "rights", "access") == ("none", [])


def test_clicking_unsubscribe_is_a_right_the_reader_uses_and_pruning_a_list_is_not(scorer):
    unsubscribe = "To unsubscribe from our emails, click the unsubscribe link at the bottom of any email."
    assert credit(scorer, unsubscribe, "rights", "other-rights") == ("partial", [unsubscribe])
    pruning = "We remove email addresses from our mailing list when messages to them bounce."
    assert credit(scorer, pruning, "rights", "other-rights") == ("none", [])


def test_party_affiliation_is_data_about_political_opinions(scorer):
    affiliation = "We collect your name, address, party affiliation and voting history."
    assert credit(scorer, affiliation, "special-category", "political-opinions") == ("partial", [affiliation])


def test_a_website_using_an_analytics_company_names_an_incidental_supplier(scorer):
    analytics = "Our website uses Google Analytics to understand how visitors use it."
    assert credit(scorer, analytics, "suppliers", "named-suppliers") == ("partial", [analytics])
    follow = "Follow us on Facebook and Twitter for the latest campaign news."
    assert credit(scorer, follow, "suppliers", "named-suppliers") == ("none", [])


def test_analysing_how_the_website_is_used_is_not_what_profiling_is_for(scorer):
    site = "We may use third-party service providers to help us analyze how our site is used."
    assert credit(scorer, site, "profiling", "profiling-purpose") == ("none", [])
    voters = "We analyse the answers supporters give us to help us decide which issues to campaign on."
    assert credit(scorer, voters, "profiling", "profiling-purpose")[0] == "partial"


def test_a_sentence_from_a_bold_paragraph_is_quoted_without_a_stray_marker(scorer):
    text = ("**We use your information to make a profile of each supporter. "
            "It helps us decide whom to contact.**\n")
    got, quotes = credit(scorer, text, "profiling", "profiling-disclosed")
    assert got == "full" and quotes == ["We use your information to make a profile of each supporter."]
    # a bold run-in label is still the sentence's heading, not evidence
    label = "**We personalise our emails.** We do not profile voters.\n"
    assert credit(scorer, label, "profiling", "profiling-disclosed") == ("full", ["We do not profile voters."])


def test_commercially_available_sources_and_social_platforms_are_third_party_data(scorer):
    for text in ("We may supplement our records with information from commercially available sources.",
                 "We receive information from social media platforms when you interact with our pages."):
        assert credit(scorer, text, "data-sources", "commercial-data") == ("partial", [text])
    talking = "You can communicate with us via third party social media sites such as Facebook."
    assert credit(scorer, talking, "data-sources", "commercial-data") == ("none", [])
    # a social plugin sends the visitor's data out to the network: not data the party receives
    plugin = ("When you visit a page with a social plugin, your browser connects to the social network, "
              "which enables the social network to receive information about your visit.")
    assert credit(scorer, plugin, "data-sources", "commercial-data") == ("none", [])


def test_vendors_bound_to_confidentiality_is_a_partial_processor_term(scorer):
    text = "Our vendors are required to keep your information confidential."
    assert credit(scorer, text, "suppliers", "processor-contracts") == ("partial", [text])


def test_an_ad_pixel_named_beside_google_analytics_is_still_an_ad_pixel(scorer):
    text = "We use Google Analytics and the Facebook pixel on this site."
    assert credit(scorer, text, "online-targeting", "pixels") == ("full", [text])
    counting = "Our emails contain a tracking pixel that counts how many people opened them."
    assert credit(scorer, counting, "online-targeting", "pixels") == ("none", [])


def test_replying_stop_to_texts_and_keeping_data_until_you_ask_are_what_elements_md_says(scorer):
    stop = "If you do not want to receive text messages, reply STOP."
    assert credit(scorer, stop, "rights", "other-rights") == ("partial", [stop])
    until = "We keep your information until you ask us to delete it."
    assert credit(scorer, until, "retention", "periods") == ("partial", [until])


def test_two_periods_for_two_kinds_of_records_in_one_sentence_are_full(scorer):
    two = ("We keep records of who has donated to us for seven years, as required by electoral law, "
           "and canvassing records for two years.")
    assert credit(scorer, two, "retention", "periods") == ("full", [two])
    one = "We keep canvassing records for two years after each election."
    assert credit(scorer, one, "retention", "periods")[0] == "partial"


def test_every_message_saying_who_paid_is_an_imprint_commitment_and_a_footer_is_not(scorer):
    commitment = "Our emails and online adverts always say who paid for them."
    assert credit(scorer, commitment, "message-transparency", "imprints") == ("full", [commitment])
    footer = "Paid for by Smith for Senate."
    assert credit(scorer, footer, "message-transparency", "imprints") == ("none", [])


def test_tailoring_by_named_criteria_gives_the_criteria(scorer):
    text = "We tailor the messages we send you based on your location and the issues you have told us you care about."
    assert credit(scorer, text, "message-transparency", "targeting-criteria") == ("full", [text])


def test_consent_relied_on_for_emails_is_a_basis_for_one_purpose(scorer):
    text = "We rely on your consent to send you emails."
    assert credit(scorer, text, "lawful-basis", "per-purpose") == ("partial", [text])


def test_a_clear_no_to_online_ad_targeting_answers_custom_audiences(scorer):
    text = "We do not run targeted advertising online."
    assert credit(scorer, text, "online-targeting", "custom-audiences") == ("full", [text])
    admitted = "We run targeted advertising online."
    assert credit(scorer, admitted, "online-targeting", "custom-audiences")[0] == "partial"
    conditional = "We do not use your data for targeted advertising without your consent."
    assert credit(scorer, conditional, "online-targeting", "custom-audiences")[0] != "full"


def test_other_countries_registers_regulators_and_privacy_officers_count(scorer):
    # notices outside the UK use their own countries' names for these (ELEMENTS.md asks for any regulator)
    electors = "We receive the list of electors from Elections Canada."
    assert credit(scorer, electors, "data-sources", "electoral-register") == ("full", [electors])
    regulator = "You have the right to file a complaint with the Office of the Privacy Commissioner of Canada."
    assert credit(scorer, regulator, "rights", "ico-complaint") == ("full", [regulator])
    grievance = "Our Grievance Officer can be contacted at grievance@party.example."
    assert credit(scorer, grievance, "accountability", "dpo") == ("full", [grievance])
    exempt = "Registered political parties are exempt from the Privacy Act."
    assert credit(scorer, exempt, "rights", "ico-complaint") == ("none", [])


def test_backup_and_password_intervals_under_a_storage_heading_are_not_retention_periods(scorer):
    text = ("# How we store and protect your information\nYour information is stored on secure servers. "
            "Backups are taken every 7 days. Passwords are changed every 90 days.\n")
    assert credit(scorer, text, "retention", "periods")[0] == "none"
    honest = "# How long we keep your data\nMembership records | 6 years after your membership ends\n"
    assert credit(scorer, honest, "retention", "periods")[0] == "partial"


MARKDOWN_TABLES = """# Privacy notice
## How we use your data and our lawful basis
| Purpose | Lawful basis |
|---|---|
| Sending you our newsletter | Consent |
| Canvassing and campaigning | Public task (democratic engagement) |

## Who we share it with
| Supplier | What they do |
|---|---|
| NationBuilder | Our supporter database |
| Acme Print Ltd | Printing our leaflets |
| Mailchimp | Sending emails |

## How long we keep it
| Data | How long |
|---|---|
| Canvassing data | 4 years |
| Newsletter sign-ups | Until you unsubscribe |
"""


def test_markdown_tables_are_read_under_their_header_row_not_their_rule_line(scorer):
    card = scorer.score_texts([("https://party.example/privacy.md", "privacy_notice", MARKDOWN_TABLES)])
    named = [e for e in card.step("suppliers").elements if e.id == "named-suppliers"][0]
    assert named.credit == "full"
    assert sorted(d["supplier"] for d in named.detail) == ["Acme Print Ltd", "Mailchimp", "NationBuilder"]
    # quoted as the rendered row reads, without the outer pipes
    assert "NationBuilder | Our supporter database" in [ev.quote for ev in named.evidence]


def test_rows_of_a_lawful_basis_table_under_how_we_use_your_data_name_purposes_not_suppliers(scorer):
    text = MARKDOWN_TABLES.split("## Who we share")[0]
    assert credit(scorer, text, "suppliers", "named-suppliers")[0] == "none"
    assert credit(scorer, text, "lawful-basis", "per-purpose")[0] == "full"


def test_a_retention_table_row_is_not_canvassing_nor_a_right_to_unsubscribe(scorer):
    text = "# Privacy notice\n## How long" + MARKDOWN_TABLES.split("## How long")[1]
    assert credit(scorer, text, "data-sources", "canvassing")[0] == "none"
    assert credit(scorer, text, "rights", "other-rights")[0] == "none"
    assert credit(scorer, text, "retention", "periods")[0] != "none"


def test_campaign_texting_calling_and_workspace_companies_are_named_suppliers(scorer):
    text = ("Our phone banking is done through ThruTalk and our texting through Hustle. "
            "We rely on Google Workspace for email and document storage. "
            "We share your data with NGP VAN, our voter file and CRM provider.")
    card = scorer.score_texts([("https://party.example/privacy", "privacy_notice", text)])
    named = [e for e in card.step("suppliers").elements if e.id == "named-suppliers"][0]
    assert named.credit == "full"
    assert {"ThruTalk", "Hustle", "Google Workspace", "NGP VAN"} <= {d["supplier"] for d in named.detail}


def test_a_cookie_table_row_is_no_retention_period(scorer):
    cookies = ("## Cookies we use\nCategory | Provider | Cookie | Lifetime\n"
               "Marketing | Facebook | _fbp | 3 months\nAnalytics | Google | _ga | 2 years\n")
    retention = "## How long we keep your data\nData | Period\nCanvass records | 5 years after the election\n"
    assert credit(scorer, cookies, "retention", "periods")[0] == "none"
    got, quotes = credit(scorer, cookies + retention, "retention", "periods")
    assert (got, quotes) == ("partial", ["Canvass records | 5 years after the election"])


def test_a_cookie_banner_left_in_the_text_is_not_evidence(scorer):
    banner = ("We use cookies to give you the best experience on our website, including cookies for analytics "
              "and personalised advertising. By clicking \"Accept all\", you agree to the storing of cookies on "
              "your device. [Accept all] [Reject all] [Cookie settings]\n")
    assert credit(scorer, banner, "online-targeting", "pixels") == ("none", [])
    policy = "## Cookies\nWe use advertising cookies from Meta to show our adverts to people who visited our site.\n"
    assert credit(scorer, banner + policy, "online-targeting", "pixels")[0] == "full"
    # a sentence of the notice that points to the cookie settings is no banner
    item = "- Our website uses the Meta Pixel to show our ads. You can decline these in our cookie settings.\n"
    assert credit(scorer, item, "online-targeting", "pixels")[0] == "full"


def test_companies_listed_under_a_heading_about_processors_are_named_suppliers(scorer):
    text = ("Who processes your data\n"
            "Reach CRM Ltd (canvassing database), Print Scotland Ltd (leaflets), Mailgun (email delivery).\n")
    card = scorer.score_texts([("https://party.example/privacy", "privacy_notice", text)])
    named = [e for e in card.step("suppliers").elements if e.id == "named-suppliers"][0]
    assert named.credit == "full"
    assert {d["supplier"]: d["role"] for d in named.detail} == {
        "Reach CRM Ltd": "CRM", "Print Scotland Ltd": "printing", "Mailgun": "email"}


def test_a_cookie_table_row_of_an_ad_platform_is_an_advertising_cookie(scorer):
    text = "## Cookies we use\nCookie | Provider | Purpose | Lifetime\n_fbp | Meta | advertising | 3 months\n"
    assert credit(scorer, text, "online-targeting", "pixels") == ("full", ["_fbp | Meta | advertising | 3 months"])
    assert credit(scorer, text, "retention", "periods")[0] == "none"


def test_a_company_ending_ends_its_sentence_when_a_new_one_starts(scorer):
    text = "Our canvassing app is run for us by Reachwise Ltd. Our leaflets are printed by Donegall Print."
    got, quotes = credit(scorer, text, "suppliers", "named-suppliers")
    assert got == "partial" and quotes == ["Our canvassing app is run for us by Reachwise Ltd."]


def test_bases_listed_under_a_lawful_basis_heading_add_up(scorer):
    text = ("## Lawful basis\n\nData protection law requires us to have a lawful basis for using your personal "
            "data. We rely on the following bases:\n\n"
            "- **Consent** — for example where you have signed up to receive our emails.\n"
            "- **Legitimate interests** — where using your data is necessary for our work as a party.\n")
    got, quotes = credit(scorer, text, "lawful-basis", "bases-named")
    assert got == "full" and not any(q.startswith("Data protection law") for q in quotes)
    assert credit(scorer, text, "lawful-basis", "per-purpose")[0] == "partial"
    # the same words outside such a section name no basis
    assert credit(scorer, "## Newsletter\n\n- **Consent** matters to us.\n", "lawful-basis", "bases-named")[0] == "none"


def test_kinds_of_processor_listed_under_a_processors_heading_are_categories(scorer):
    text = ("## Who processes data on our behalf\n\n"
            "- a bulk SMS and WhatsApp messaging service provider;\n"
            "- a call-centre agency that handles the membership line.\n")
    assert credit(scorer, text, "suppliers", "supplier-categories")[0] == "full"
    elsewhere = "## Our values\n\n- a movement that listens;\n- a party that answers every email.\n"
    assert credit(scorer, elsewhere, "suppliers", "supplier-categories")[0] == "none"


def test_a_list_item_s_bold_label_is_what_the_item_is_about(scorer):
    text = ("## Who else handles my data?\n\n"
            "- **Campaign Monitor** — email newsletters;\n"
            "- **NationBuilder** — our supporter database;\n"
            "- **Halcyon Mail Ltd** — printing and mailing.\n")
    got, quotes = credit(scorer, text, "suppliers", "named-suppliers")
    assert got == "full" and any("Campaign Monitor" in q for q in quotes)
    # an opt-out offered in a label is still an opt-out, not a targeting criterion
    opt_out = "- **Opt out** of targeted advertising, including contact-list matching."
    assert credit(scorer, opt_out, "message-transparency", "targeting-criteria")[0] == "none"


def test_a_route_under_a_profiling_heading_is_how_to_object_to_it(scorer):
    text = ("## Scores and segments\n\nWe put voters into segments to decide whom to phone. If you do not want to "
            "be included, email privacy@party.example and we will mark your record.\n")
    assert credit(scorer, text, "profiling", "profiling-objection")[0] == "full"
    elsewhere = "## Newsletter\n\nIf you do not want to be included, email news@party.example.\n"
    assert credit(scorer, elsewhere, "profiling", "profiling-objection")[0] == "none"


def test_full_message_transparency_needs_both_an_imprint_and_targeting_criteria(scorer):
    imprint = "All our election advertising carries a tagline stating that it was authorized by our official agent.\n"
    tailoring = "We may tailor the messages you receive to reflect your interests.\n"
    criteria = "Our ads are shown to people in particular electorates and age groups.\n"
    assert step_score(scorer, imprint + tailoring, "message-transparency") < 75
    assert step_score(scorer, imprint + criteria, "message-transparency") >= 75
    # "no targeting" answers the criteria, not the imprint
    weak_imprint = "Our leaflets always say who they are from. We do not select who receives which message.\n"
    assert step_score(scorer, weak_imprint, "message-transparency") < 75


def test_a_list_of_processors_with_roles_counts_its_payment_and_hosting_providers(scorer):
    text = ("The following companies process donor data on our behalf:\n\n"
            "* Stripe, Inc. — card processing\n* Amazon Web Services — hosting of our database\n"
            "* SendGrid — transactional email receipts\n")
    assert credit(scorer, text, "suppliers", "named-suppliers")[0] == "full"
    incidental_only = ("The following companies process donor data on our behalf:\n\n"
                       "* Stripe, Inc. — card processing\n* Amazon Web Services — hosting of our database\n"
                       "* PayPal — donations\n")
    assert credit(scorer, incidental_only, "suppliers", "named-suppliers")[0] == "partial"


def test_a_menu_of_bold_items_from_an_archived_page_is_not_evidence(scorer):
    # an archiver doubles the bold markers of a page's table of contents
    menu = "# Privacy policy\n\n* ****International transfers** **\n* ****Personalised banner advertising** **\n"
    assert credit(scorer, menu, "accountability", "transfers") == ("none", [])
    assert credit(scorer, menu, "message-transparency", "targeting-criteria") == ("none", [])
    # a whole sentence set in bold on its own line still says what it says
    emphasis = "****If you have questions about this policy, please contact us at team@party.example****\n"
    assert credit(scorer, emphasis, "accountability", "dpo")[0] == "partial"


def test_a_social_log_in_names_no_supplier(scorer):
    text = ("If you log in to our site using a Facebook log-in, you grant permission to Facebook to share "
            "your user details with us.\n")
    assert credit(scorer, text, "suppliers", "named-suppliers") == ("none", [])
    honest = "We use Facebook to show our adverts to people who have visited our website.\n"
    assert credit(scorer, honest, "suppliers", "named-suppliers")[0] == "partial"


def test_a_definition_is_not_a_practice(scorer):
    text = "A web beacon is an electronic image, also known as a single-pixel (1x1) or clear gif.\n"
    assert credit(scorer, text, "online-targeting", "pixels") == ("none", [])
    honest = "We use web beacons in our emails so that advertising networks can show you our ads on other sites.\n"
    assert credit(scorer, honest, "online-targeting", "pixels")[0] == "full"


def test_a_question_on_its_own_line_heads_its_answer(scorer):
    # FAQ-style notices ask the reader's question and answer it below
    text = ("How can I request a copy of my personal information held by the party?\n\n"
            "Write to the Data Protection Officer, 1 High Street, and we will send you a copy of your data.\n")
    got, quotes = credit(scorer, text, "rights", "access")
    assert got == "full"
    assert quotes == ["Write to the Data Protection Officer, 1 High Street, and we will send you a copy of your data."]


def test_the_data_protection_act_named_for_a_right_a_term_or_security_is_not_a_basis(scorer):
    for text in ("You also have the right to receive a copy of all the personal information that we hold about "
                 "you under S7 of the Data Protection Act 1998 by submitting a Subject Access Request.",
                 "Some of the personal information we hold about you may be 'sensitive personal data' within the "
                 "meaning of the Data Protection Act 1998 - for example, information about your health.",
                 "* the Data Protection Act 1998",
                 "We have strict security and confidentiality procedures covering the storage and disclosure of "
                 "information in order to prevent unauthorised access and to comply with the Data Protection Act."):
        assert credit(scorer, text, "lawful-basis", "bases-named") == ("none", []), text
    honest = "We process your personal data in accordance with the Data Protection Act 2018."
    assert credit(scorer, honest, "lawful-basis", "bases-named")[0] == "partial"


def test_keeping_data_as_long_as_is_reasonable_or_by_retention_periods_by_type_is_a_criterion(scorer):
    for text in ("We take appropriate measures to ensure that we keep your information secure, accurate and up to "
                 "date, and that we only keep it as long as is reasonable and necessary.",
                 "We will establish minimum and maximum retention periods based upon the type of information "
                 "collected, the intended purposes and as otherwise required by law."):
        assert credit(scorer, text, "retention", "periods")[0] == "partial", text
        assert credit(scorer, text, "lawful-basis", "bases-named")[0] == "none", text


def test_commercially_available_third_party_sources_are_commercial_data(scorer):
    text = ("We may also collect information about you from additional online and offline sources including from "
            "social media activities, other nonprofits, and commercially available third-party sources.")
    assert credit(scorer, text, "data-sources", "commercial-data")[0] == "partial"


def test_children_in_a_list_of_categories_leave_the_sentence_on_topic_and_childrens_data_is_off_topic(scorer):
    listed = ("This includes special category data (for example about your health, race or religion), personal "
              "information relating to children and personal information about criminal convictions or offences.")
    assert credit(scorer, listed, "special-category", "political-opinions")[0] == "full"
    for text in ("If you become aware that your child has provided us with personal information without your "
                 "consent, please contact us at privacy@party.example.",
                 "We do not knowingly collect personal information from children under 13; write to "
                 "privacy@party.example to have it deleted."):
        assert credit(scorer, text, "rights", "how-to-exercise") == ("none", []), text


def test_the_reader_s_role_in_a_list_is_not_a_political_opinion(scorer):
    text = "The charity is committed to protecting your personal data, whether you are a supporter, volunteer, or shopper."
    assert credit(scorer, text, "special-category", "political-opinions") == ("none", [])
    honest = "When we canvass, we record whether you are a supporter of the party."
    assert credit(scorer, honest, "special-category", "political-opinions")[0] == "partial"


def test_the_party_removing_usernames_is_not_the_reader_s_right(scorer):
    text = "None of your personal information is ever shared and we remove usernames before sharing this information."
    assert credit(scorer, text, "rights", "other-rights") == ("none", [])
    honest = "You can ask us to delete your information at any time."
    assert credit(scorer, honest, "rights", "other-rights")[0] == "partial"


def test_information_combined_with_information_from_external_sources_is_some_profiling(scorer):
    text = ("Once collected, we may combine this information with other information collected from external "
            "sources, where permitted by applicable law.")
    assert credit(scorer, text, "profiling", "profiling-disclosed")[0] == "partial"


def test_third_parties_under_a_disclosure_heading_are_where_data_goes_not_a_source(scorer):
    # found on a general privacy policy: under "How do we disclose your personal
    # information?", a list item naming recipients was credited as third-party data
    disclosure = ("## How do we disclose your personal information?\n"
                  "We may disclose your information to:\n"
                  "- specific third parties authorised by you to receive information held by us;\n")
    assert credit(scorer, disclosure, "data-sources", "commercial-data") == ("none", [])
    offline = ("## Use and sharing of personal data\n"
               "We do not share your personal data collected online or offline with third parties.\n")
    assert credit(scorer, offline, "data-sources", "canvassing") == ("none", [])
    source = ("## Information we collect about you\n"
              "We may receive information about you from third parties such as data providers.\n")
    assert credit(scorer, source, "data-sources", "commercial-data")[0] == "partial"


def test_the_social_media_platforms_a_party_talks_to_voters_on_are_not_its_suppliers(scorer):
    # A real notice: "We utilise the following social media platforms to interact with our
    # users: * Facebook * Twitter * YouTube" was counted as three named suppliers.
    accounts = ("## Social media\n\nWe use the following social media platforms to interact with our users:\n\n"
                "* Facebook\n* Twitter\n* YouTube\n")
    assert credit(scorer, accounts, "suppliers", "named-suppliers") == ("none", [])
    processors = ("## Who processes your data for us\n\nWe use the following platforms to run our campaign:\n\n"
                  "* NationBuilder (our supporter database)\n* Mailchimp (email newsletters)\n"
                  "* Acme Print Ltd (printing our leaflets)\n")
    assert credit(scorer, processors, "suppliers", "named-suppliers")[0] == "full"


def test_a_contact_line_is_shown_only_when_no_sentence_answers(scorer):
    # A real notice's Data Protection Officer was evidenced by "* by email – info-compliance@..."
    # rather than by the sentence naming the officer just above it.
    text = ("## Data Protection Officer\n\n"
            "To contact us about this notice or the information we hold about you, please write to our "
            "Data Protection Officer, Jane Smith:\n\n"
            "* by email – dpo@party.example\n* by post – 1 High Street, Anytown\n")
    got, quotes = credit(scorer, text, "accountability", "dpo")
    assert got == "full"
    assert quotes == ["To contact us about this notice or the information we hold about you, please write to our "
                      "Data Protection Officer, Jane Smith:"]
    alone = "## Data Protection Officer\n\n* by email – dpo@party.example\n"
    assert credit(scorer, alone, "accountability", "dpo") == ("full", ["* by email – dpo@party.example"])


def test_the_notices_title_is_no_heading_that_asks_for_a_contact_line(scorer):
    # (rubric 2026.30) "Sylvie Gadoury (atip@...)", a name and address on a line of their own,
    # was a privacy contact only because "Privacy Policy" titles the whole notice
    text = ("# Privacy Policy\n\nWe collect your name when you sign up.\n\nSylvie Gadoury (atip@party.example)\n\n"
            "We keep your data safe.\n")
    assert credit(scorer, text, "accountability", "dpo") == ("none", [])
    # under a heading of its own that asks for it, the line is the contact
    section = text.replace("Sylvie Gadoury", "## Privacy contact\n\nSylvie Gadoury")
    assert credit(scorer, section, "accountability", "dpo")[1] == ["Sylvie Gadoury (atip@party.example)"]


def test_the_right_to_erasure_is_not_a_retention_criterion(scorer):
    rights = ("## Your rights\n\n* **Erasure:** You can ask us to delete your personal information where it is "
              "no longer necessary for us to use it.\n")
    assert credit(scorer, rights, "retention", "periods") == ("none", [])
    criterion = ("## How long we keep your data\n\nWe keep your personal information only for as long as is "
                 "necessary for the purpose we collected it for.\n")
    assert credit(scorer, criterion, "retention", "periods")[0] == "partial"


def test_a_deadline_for_answering_complaints_is_not_a_retention_period(scorer):
    text = ("## How we store and handle your data\n\nWe will respond to any complaint in writing within 30 days "
            "of receiving it.\n")
    assert credit(scorer, text, "retention", "periods") == ("none", [])
    row = "## How we store and handle your data\n\nCanvass records | 2 years\n"
    assert credit(scorer, row, "retention", "periods")[0] == "partial"


def test_a_date_line_set_in_bold_italics_dates_the_notice(scorer):
    # A real notice opened with "**_Last Updated June 2019_**": the underscore beside the year hid
    # the date, so the line was read as a heading and the notice as undated.
    text = ("# Privacy Statement\n\n**_Last Updated June 2019_**\n\n"
            "We collect your name and email address when you sign up to our newsletter.\n")
    assert credit(scorer, text, "accountability", "versioned") == ("partial", ["**_Last Updated June 2019_**"])
    title = "# Privacy Statement\n\n**_Our Promise To You_**\n\nWe collect your name when you sign up.\n"
    assert credit(scorer, title, "accountability", "versioned") == ("none", [])


def test_a_notice_titled_privacy_and_cookie_policy_is_not_all_about_cookies(scorer):
    # A real notice titled "Privacy & Cookie Policy" lost its one retention period: the title sits
    # over every line, and a period under a cookies heading is a cookie's lifetime.
    text = ("# Privacy & Cookie Policy\n\n## Monitoring service\n\n"
            "Should you cancel our monitoring service, this information will be deleted within 90 days of your "
            "subscription ending.\n")
    assert credit(scorer, text, "retention", "periods") == (
        "partial", ["Should you cancel our monitoring service, this information will be deleted within 90 days of "
                    "your subscription ending."])
    under_cookies = text.replace("## Monitoring service", "## Cookies")
    assert credit(scorer, under_cookies, "retention", "periods") == ("none", [])
    # a notice with a level-1 heading for every section has no title: each one sets its part apart
    sections = "# Cookies\n\nThey expire after 2 years and are then deleted.\n\n# Your rights\n\nAsk us.\n"
    assert credit(scorer, sections, "retention", "periods") == ("none", [])


def test_of_two_answers_the_one_naming_more_of_what_is_asked_comes_first(scorer):
    # A real notice's date was shown as "... the Data Protection Act 1998 ..., as updated from
    # time to time" because it came first, rather than its own "last updated" line.
    text = ("We will only process personal data in accordance with the Data Protection Act 1998 and the "
            "Privacy and Electronic Communications Regulations 2003, as updated from time to time.\n\n"
            "This privacy policy was last updated in March 2015.\n")
    got, quotes = credit(scorer, text, "accountability", "versioned")
    assert got == "partial"
    assert quotes[0] == "This privacy policy was last updated in March 2015."


def test_where_the_answer_is_somewhere_to_write_the_sentence_giving_the_address_comes_first(scorer):
    # (rubric 2026.30) a real notice's route for rights requests was shown as "please email or
    # write to us at the address below", a pointer a reader rejects as the answer, while the
    # sentence with the address itself came later
    text = ("In relation to all of these rights, please email or write to us at the address below.\n\n"
            "If you would like to exercise your rights with respect to your personal information, please contact "
            "us via help@party.example or write to The Party, 1 High Street, London SW1A 1AA.\n")
    got, quotes = credit(scorer, text, "rights", "how-to-exercise")
    assert got == "full" and quotes[0].startswith("If you would like to exercise your rights")
    # with no sentence that gives it, the pointer is still the answer shown
    pointer_only = text.split("\n\n")[0] + "\n"
    assert credit(scorer, pointer_only, "rights", "how-to-exercise")[1] == [pointer_only.strip()]
    # (an element whose answer is no address keeps its order: the right itself comes first)
    access = ("You have the right to request a copy of the personal data we hold about you.\n\n"
              "To request a copy of your personal data, email help@party.example.\n")
    assert credit(scorer, access, "rights", "access")[1][0].startswith("You have the right")


def test_a_nine_word_line_set_apart_is_a_heading_not_evidence(scorer):
    # "How to access, correct or update your personal information" headed a real notice's rights
    # section and was quoted as the right itself.
    text = ("# Privacy policy\n\nWe may amend this policy by posting the amended policy on our website.\n\n"
            "How to access, correct or update your personal information\n\n"
            "If you have any complaints or questions about what information we hold, please contact the Privacy "
            "Officer.\n")
    assert credit(scorer, text, "rights", "other-rights") == ("none", [])


def test_an_address_for_keeping_ones_name_off_a_list_is_no_privacy_contact(scorer):
    text = ("## Contact us\n\nIf you prefer that your postal information not be shared, please write to us at "
            "webmaster@party.example and we will honour your wishes.\n")
    assert credit(scorer, text, "accountability", "dpo") == ("none", [])
    privacy = "## Contact us\n\nFor questions about your personal data, please write to us at privacy@party.example.\n"
    assert credit(scorer, privacy, "accountability", "dpo")[0] == "partial"


def test_an_address_among_ways_to_change_marketing_preferences_is_no_privacy_contact(scorer):
    text = ("## Contact us\n\nYou can change your marketing preferences at any time by:\n\n"
            "* clicking the unsubscribe link in our emails; or\n"
            "* contacting our Supporter Care team by email at supportercare@party.example.\n")
    assert credit(scorer, text, "accountability", "dpo") == ("none", [])
    rights = ("## Contact us\n\nYou can ask us about the personal data we hold by:\n\n"
              "* writing to us by email at data@party.example.\n")
    assert credit(scorer, rights, "accountability", "dpo")[0] == "partial"


def test_an_officer_named_over_an_address_is_read_with_its_lead_in(scorer):
    # "The Data Protection Officer" alone on a line looks like a heading; under "please
    # contact:" and over an address it is the contact a reader is given
    block = ("If you have any questions regarding our privacy policy, please contact:\n\n"
             "The Data Protection Officer  \nThe Party  \n1 High Street  \nLondon  \nSW1A 1AA\n\n"
             "Email: dataprotection@party.example\n")
    got, quotes = credit(scorer, block, "accountability", "dpo")
    assert got == "full"
    assert quotes[0].startswith("If you have any questions regarding our privacy policy, please contact:")
    assert "SW1A 1AA" in quotes[0]
    # (the lead-in alone was a route with no address: partial)
    requests = ("To exercise any of your rights, please write to:\n\nThe Data Protection Co-ordinator  \n"
                "PO Box 497  \nLeeds\n\nEmail: dpo@party.example\n")
    assert credit(scorer, requests, "rights", "how-to-exercise")[0] == "full"


def test_a_lead_in_ending_in_a_semicolon_is_read_with_the_address_under_it(scorer):
    # (rubric 2026.30) a real notice: "... including to make a subject access request, please use
    # the following details (for the attention of DPO);" over "Email address: ..." and "Postal
    # Address: ..." lines was a route with no address (partial)
    block = ("To contact us about anything to do with your personal data and data protection, including to make "
             "a subject access request, please use the following details (for the attention of DPO);  \n"
             "Email address: info@party.example  \nPostal Address: 83 Victoria Street, London, SW1H 0HW\n")
    got, quotes = credit(scorer, block, "rights", "how-to-exercise")
    assert got == "full" and "info@party.example" in quotes[0]
    # (lines under it that hold no address are no address block: "the following;" stays as it was)
    listed = ("To register you as a supporter we need the following details;  \nYour name  \nYour email address  \n"
              "Your postcode\n")
    assert credit(scorer, listed, "rights", "how-to-exercise") == ("none", [])


def test_short_lines_without_an_address_are_not_an_address_block(scorer):
    # a list of what is collected, set out as short lines under "we collect:", stays a list
    collected = "We collect:\n\nYour name\nYour email address\nYour postcode\n\nWe keep it safe.\n"
    assert credit(scorer, collected, "accountability", "dpo") == ("none", [])
    # the notice's date under the address is no part of the office's address
    dated = ("If you have questions about privacy, write to:\n\nThe Privacy Team  \nThe Party  \nSW1A 1AA\n\n"
             "Effective: May 24, 2018\n")
    _, quotes = credit(scorer, dated, "accountability", "dpo")
    assert quotes and "2018" not in quotes[0]


def test_a_plain_list_whose_lines_end_in_semicolons_is_read_item_by_item(scorer):
    # long unbulleted lines ending ";" are items of the list, not one paragraph the layout wrapped
    text = ("We may collect the following types of personal information:  \n"
            "details of the products and services you have purchased from us or which you have enquired about;  \n"
            "any additional information that you provide to us directly through our websites or otherwise; and  \n"
            "information you provide to us through our service centre, customer surveys or visits by our "
            "representatives from time to time.\n")
    got, quotes = credit(scorer, text, "data-sources", "canvassing")
    assert got == "partial"
    assert quotes == ["information you provide to us through our service centre, customer surveys or visits by our "
                      "representatives from time to time."]


def test_a_heading_set_in_a_list_is_still_a_heading(scorer):
    # pages that set their section titles in a list extract as "  * ## Title"
    text = ("  * ## Transfers of personal information outside of the UK\n\n"
            "We may need to transfer personal information to suppliers located outside the UK.\n")
    got, quotes = credit(scorer, text, "accountability", "transfers")
    assert got == "partial"
    assert quotes == ["We may need to transfer personal information to suppliers located outside the UK."]
    assert credit(scorer, "  * ## Transfers of personal information outside of the UK\n", "accountability",
                  "transfers") == ("none", [])


def test_a_sentence_set_in_bold_before_its_full_stop_is_read(scorer):
    # "**...**." is a whole sentence in bold, not a run-in label with nothing after it: its
    # words were dropped as the label's
    text = "**If you have any questions about this privacy policy, please contact privacy@party.example**.\n"
    got, quotes = credit(scorer, text, "accountability", "dpo")
    assert got == "partial" and quotes == [text.strip()]
    # a run-in label over its sentence is still context, not evidence
    label = "**Our data protection officer:** We keep your data safe.\n"
    assert credit(scorer, label, "accountability", "dpo") == ("none", [])
