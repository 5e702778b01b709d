"""The real bot application answering commands over HTTP through the fake Bot API."""

from __future__ import annotations

from helpers.bot import NASTY_QUOTE, USER, ask


def test_start_and_help(running, fake):
    (answer,) = ask(fake, "/start")
    assert "partywatch" in answer.plain
    assert "/score" in answer.plain and "/subscribe" in answer.plain
    (answer,) = ask(fake, "/help")
    assert "/why" in answer.plain


def test_parties_lists_grades_and_offers_buttons(running, fake):
    (answer,) = ask(fake, "/parties")
    assert "Scottish National Party — B (70.5)" in answer.plain
    assert "Labour Party — D (48)" in answer.plain
    assert "Conservative and Unionist Party — not scored yet" in answer.plain
    buttons = [b["callback_data"] for row in answer.reply_markup["inline_keyboard"] for b in row]
    assert "score:snp" in buttons


def test_score_by_id_name_and_abbreviation(running, fake):
    for name in ("snp", "SNP", "scottish national party", "Scottish National"):
        (answer,) = ask(fake, f"/score {name}")
        assert "Grade B · overall 70.5/100" in answer.plain, name
        assert "75  How long data is kept" in answer.plain
    (answer,) = ask(fake, "/score lib dems")
    assert "Liberal Democrats" in answer.plain and "Grade C" in answer.plain


def test_score_pressing_a_step_button_shows_why(running, fake):
    (answer,) = ask(fake, "/score snp")
    buttons = [b["callback_data"] for row in answer.reply_markup["inline_keyboard"] for b in row]
    assert "why:snp:retention" in buttons
    fake.press_button(USER, "why:snp:retention")
    (why,) = fake.wait_for_messages(USER, 2)[1:]
    assert "How long data is kept: 75/100" in why.plain
    assert fake.calls_of("answerCallbackQuery")


def test_unknown_party_gets_suggestions(running, fake):
    (answer,) = ask(fake, "/score snpp")
    assert "I don't know a party called “snpp”" in answer.plain
    assert "Did you mean snp" in answer.plain
    buttons = [b["callback_data"] for row in answer.reply_markup["inline_keyboard"] for b in row]
    assert buttons[0] == "score:snp"
    (answer,) = ask(fake, "/score labor")
    assert "Did you mean labour" in answer.plain


def test_party_without_scorecard(running, fake):
    (answer,) = ask(fake, "/score tories")
    assert "Conservative and Unionist Party has no scorecard yet" in answer.plain


def test_why_quotes_evidence_escaped_with_its_link(running, fake):
    (answer,) = ask(fake, "/why snp retention")
    # What the user sees is the quote exactly as the party wrote it ...
    assert NASTY_QUOTE in answer.plain
    # ... because the HTML we sent escaped it (the fake server, like Telegram, rejects bad HTML).
    assert "&lt;script&gt;" in answer.text and "&lt;b&gt;2 years&lt;/b&gt; &amp; then" in answer.text
    assert '<a href="https://example.org/snp/privacy?a=1&amp;b=2">source</a>' in answer.text
    assert "Does it say how long each kind of data is kept?" in answer.plain
    assert "partial" in answer.plain and "Data may be deleted from time to time." in answer.plain


def test_why_by_step_number_and_unknown_step(running, fake):
    (answer,) = ask(fake, "/why labour 9")
    assert "Labour Party · How long data is kept: 20/100" in answer.plain
    assert "No disclosure found. Looked for: how long each kind of data is kept" in answer.plain
    (answer,) = ask(fake, "/why labour retenton")
    assert "No step called “retenton”" in answer.plain and "Did you mean retention?" in answer.plain
    (answer,) = ask(fake, "/why labour")
    assert "Which step" in answer.plain
    assert len([b for row in answer.reply_markup["inline_keyboard"] for b in row]) == 10


def test_compare_side_by_side(running, fake):
    (answer,) = ask(fake, "/compare snp labour")
    assert "Scottish National Party vs Labour Party" in answer.plain
    lines = [line for line in answer.plain.splitlines() if "How long data is kept" in line]
    assert lines and "75" in lines[0] and "20" in lines[0]
    (answer,) = ask(fake, "/compare lib dems snp")
    assert "Liberal Democrats vs Scottish National Party" in answer.plain
    (answer,) = ask(fake, "/compare snp")
    assert "Usage: /compare party party" in answer.plain


def test_subscribe_unsubscribe_and_list(running, fake, scored):
    from history.subscriptions import subscriptions

    (answer,) = ask(fake, "/subscribe snp")
    assert "Subscribed" in answer.plain and "Scottish National Party" in answer.plain
    (answer,) = ask(fake, "/subscribe snp")
    assert "already follow" in answer.plain
    ask(fake, "/subscribe all")
    (answer,) = ask(fake, "/subscriptions")
    assert "Scottish National Party (snp)" in answer.plain and "every party" in answer.plain
    assert subscriptions(scored, USER) == ["*", "snp"]
    (answer,) = ask(fake, "/unsubscribe snp")
    assert "Unsubscribed from Scottish National Party" in answer.plain
    assert subscriptions(scored, USER) == ["*"]
    ask(fake, "/unsubscribe all")
    (answer,) = ask(fake, "/subscriptions")
    assert "You follow no party" in answer.plain
    # subscribing through the keyboard
    fake.press_button(USER, "sub:labour")
    fake.wait_until(lambda: subscriptions(scored, USER) == ["labour"], what="button subscription")


def test_history_sends_a_png_chart(running, fake):
    (answer,) = ask(fake, "/history snp")
    assert answer.method == "sendPhoto"
    assert answer.photo.startswith(b"\x89PNG") and len(answer.photo) > 5000
    assert "Scottish National Party: 2 scorecards, now grade B (70.5)" in answer.plain


def test_rubric_lists_the_ten_steps(running, fake):
    (answer,) = ask(fake, "/rubric")
    for number, title in ((1, "Where voters' data comes from"), (10, "Accountability")):
        assert f"{number}. {title}" in answer.plain


def test_admin_command_refused_to_a_non_admin(running, fake):
    (answer,) = ask(fake, "/check")
    assert "only for the bot's admins" in answer.plain
    assert running.service.checks_run == 0


def test_unknown_command(running, fake):
    (answer,) = ask(fake, "/frobnicate")
    assert "I don't know that command" in answer.plain
