from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachcli.coaching import (
    Finding,
    advice_phrase,
    advice_question_phrase,
    asks_learning,
    closed_question_word,
    fact_question,
    is_first_person,
    leading_phrase,
    mentions_else,
    question_findings,
)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Do you have a champion?", "Do"),
        ("does the CFO know?", "does"),
        ("Did they reply?", "Did"),
        ("Is there anything else?", "Is"),
        ("Are they talking to a competitor?", "Are"),
        ("Was the demo good?", "Was"),
        ("Can you get a meeting?", "Can"),
        ("Could you ask for an intro?", "Could"),
        ("Will they sign this quarter?", "Will"),
        ("Would a pilot help?", "Would"),
        ("Have you tried calling the CFO?", "Have"),
        ("Has legal seen it?", "Has"),
        ("Should you discount?", "Should"),
        ("Might they walk away?", "Might"),
        ("Am I the blocker?", "Am"),
        ("Isn't that risky?", "Isn't"),
        ("Don't you think so?", "Don't"),
        ("Doesn’t it matter?", "Doesn’t"),
        ("Won't they notice?", "Won't"),
        ("dont you know?", "dont"),
        ('  "Did it work?"', "Did"),
        ("“Was it worth it?”", "Was"),
        ("- Can we win this?", "Can"),
        ("So, is it about price?", "is"),
        ("And did you ask?", "did"),
        ("I read your notes. Did the demo land?", "Did"),
        ("Can you get the CFO on a call?", "Can"),
        ("Could you tell?", None),
    ],
)
def test_closed_question_word_flags(text: str, word: str | None) -> None:
    assert closed_question_word(text) == word


@pytest.mark.parametrize(
    "text",
    [
        "What do you want from this call?",
        "How will you know it worked?",
        "If you had the call again, what would you do?",
        "Who else is involved?",
        "Which option matters most?",
        "Tell me about the last meeting.",
        "Isabel, what happened next?",
        "Doing what, exactly?",
        "Canvassing aside, what's the plan?",
        "Can you walk me through the call?",
        "Could you describe what they said?",
        "Would you talk me through the plan?",
        "Can you help me understand the delay?",
        "Could you say more about that?",
        "Whatever happens, what will you learn?",
        "So what else could you do?",
        "",
        "   ",
        "?",
    ],
)
def test_closed_question_word_passes_open_questions(text: str) -> None:
    assert closed_question_word(text) is None


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Don't you think you should call them?", "Don't you think"),
        ("What you need to do is call?", "you need to"),
        ("Surely you must see the risk?", "Surely"),
        ("You must see the risk?", "You must"),
        ("Do you feel you ought to push back?", "you ought to"),
        ("Wouldn't it be better to wait?", "Wouldn't it be"),
        ("It's the price, isn't it?", "isn't it"),
        ("You sent the deck, didn't you?", "didn't you"),
        ("They will sign, won't they?", "won't they"),
        ("The budget is there, right?", "right"),
        ("Obviously it was the price, so what now?", "Obviously"),
        ("Don't you feel it was rushed?", "Don't you feel"),
        ("Shouldn't you loop in your manager?", "Shouldn't you"),
        ("I should call them, right?", "I should"),
        ("What I need to do is call them?", "I need to"),
        ("Just call them?", "Just"),
        ("What then? Just wait?", "Just"),
        ("Maybe you just need to ask?", "you just"),
        ("What went wrong? You should know.", "You should"),
    ],
)
def test_leading_phrase_flags(text: str, phrase: str) -> None:
    assert leading_phrase(text) == phrase


@pytest.mark.parametrize(
    "text",
    [
        "What have you tried so far?",
        "What else have you tried?",
        "What have you thought about doing?",
        "What do you need to see from them?",
        "What would you need to believe to walk away?",
        "What should you do next?",
        "What do I need to learn from this?",
        "What should I do next?",
        "What is making you feel you have to give ground?",
        "What is making me feel I have to give ground?",
        "Why isn't it moving?",
        "Why wouldn't it be approved?",
        "Is it just price?",
        "What did you just learn?",
        "What is one thing - just one - that you could change?",
        "Why now?",
        "What would you do if you were in their shoes?",
        "Who justifies the spend?",
        "What do you think you should say?",
        "What do you think I should know about the deal?",
        "If you could change one thing, what would it be?",
        "Right, what happened next?",
        "What would you say went well, and what didn't?",
        "",
    ],
)
def test_leading_phrase_passes_open_questions(text: str) -> None:
    assert leading_phrase(text) is None


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("You should call the CFO", "You should"),
        ("I think you should call the CFO", "you should"),
        ("you need to get legal involved", "you need to"),
        ("You must send it today", "You must"),
        ("You have to ask for the order", "You have to"),
        ("you ought to escalate", "you ought to"),
        ("Why don't you offer a pilot?", "Why don't you"),
        ("why dont you offer a pilot", "why dont you"),
        ("I'll call the CFO myself", "I'll"),
        ("I’ll call the CFO myself", "I’ll"),
        ("I will talk to procurement", "I will"),
        ("Let me handle procurement", "Let me"),
        ("OK, let me handle it", "let me"),
        ("I can set up the meeting", "I can"),
        ("I'm going to ring their boss", "I'm going to"),
        ("I’m going to ring their boss", "I’m going to"),
        ("Leave it to me", "Leave it to me"),
        ("Just call them", "Just"),
        ("just send the contract", "just"),
        ("Fine, just send it", "just"),
        ("Call them. Just do it.", "Just"),
        ("Why not offer a discount", "Why not"),
        ("How about a two-week pilot", "How about"),
        ("If I were you I'd walk away", "If I were you"),
        ("I'd walk away", "I'd"),
        ("You could offer a pilot", "You could"),
        ("Have you tried a pilot?", "Have you tried"),
    ],
)
def test_advice_phrase_flags_advice_typed_by_a_manager(text: str, phrase: str) -> None:
    assert advice_phrase(text) == phrase


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Have you tried calling the CFO?", "Have you tried"),
        ("So have you thought about a pilot?", "have you thought about"),
        ("Have you considered a discount?", "Have you considered"),
        ("Why don't you ask for an intro?", "Why don't you"),
        ("Why don’t we ask for an intro?", "Why don’t we"),
        ("Why not offer a pilot?", "Why not"),
        ("How about a call with legal?", "How about"),
        ("What if you skipped the demo?", "What if you"),
        ("What about sending the deck first?", "What about"),
        ("Would it help to bring in the SE?", "Would it help to"),
        ("Maybe you could ask for a reference?", "Maybe you could"),
        ("Did you think about a smaller deal?", "Did you think about"),
    ],
)
def test_advice_question_phrase_flags(text: str, phrase: str) -> None:
    assert advice_question_phrase(text) == phrase


@pytest.mark.parametrize(
    "text",
    [
        "What have you tried so far?",
        "Have you thought about it since?",
        "What about this matters most to you?",
        "What can I do to help?",
        "Where do you think I can help most?",
        "If you could change one thing, what would it be?",
        "What do you think you could do?",
        "What if anything would you change?",
        "",
    ],
)
def test_advice_question_phrase_passes_open_questions(text: str) -> None:
    assert advice_question_phrase(text) is None


@pytest.mark.parametrize(
    ("text", "opening"),
    [
        ("When is the renewal?", "When is"),
        ("Who signs the order form?", "Who signs"),
        ("How many users are on the trial?", "How many"),
        ("How long is legal review?", "How long"),
        ("What's the budget?", "What's the"),
        ("What date is the board meeting?", "What date"),
        ("Which tier are they on?", "Which tier"),
        ("So, where is their office?", "where is"),
    ],
)
def test_fact_question_flags(text: str, opening: str) -> None:
    assert fact_question(text) == opening


@pytest.mark.parametrize(
    "text",
    [
        "What's the biggest risk you see?",
        "When was a time this worked well?",
        "How many of these do you think matter?",
        "Who else cares about this?",
        "Which option matters most?",
        "What do you want from the call?",
        "When did it stall, and what changed?",
        "",
    ],
)
def test_fact_question_passes_open_questions(text: str) -> None:
    assert fact_question(text) is None


@pytest.mark.parametrize(
    ("text", "findings"),
    [
        ("What could you do next?", []),
        ("Have you tried a pilot?", [Finding("advice", "Have you tried"), Finding("closed", "Have")]),
        ("You chased them, didn't you?", [Finding("leading", "didn't you")]),
        ("Did it work?", [Finding("closed", "Did")]),
        ("When is the demo?", [Finding("fact", "When is")]),
        ("Is the demo on Friday? When is it?", [Finding("closed", "Is")]),
    ],
)
def test_question_findings(text: str, findings: list[Finding]) -> None:
    assert question_findings(text) == findings


@pytest.mark.parametrize(
    "text",
    [
        "Call the CFO directly",
        "Offer a two-week pilot",
        "Ask Maria for an intro",
        "Send the revised proposal by Friday",
        "Find out what they need to sign",
        "Ask what the CFO would need to see",
        "Justify the price with the ROI numbers",
        "Send it just before the renewal call",
        "Ask them to let me know by Friday",
        "Book a call with Will from procurement",
        "Check whether legal can review it this week",
        "Walk away if they insist on 30%",
        "Ask the champion what else is blocking it",
        "Say I can't do it",
        "Tell the buyer it's ill-timed",
        "",
        "   ",
    ],
)
def test_advice_phrase_passes_rep_voiced_options(text: str) -> None:
    assert advice_phrase(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What could I do next?", True),
        ("What did the customer tell me?", True),
        ("What is my walk-away point?", True),
        ("What would I regret?", True),
        ("I'm not sure what to ask", True),
        ("What outcome do we want?", True),
        ("What will stop us?", True),
        ("Which of our options matters?", True),
        ("What did I learn, myself?", True),
        ("What could you do next?", False),
        ("Who sells to US customers?", False),
        ("What do you see, i.e. in the data?", False),
        ("Meet them in the middle?", False),
        ("", False),
    ],
)
def test_is_first_person(text: str, expected: bool) -> None:
    assert is_first_person(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What else could you do?", True),
        ("What other options are there?", True),
        ("What more could you try?", True),
        ("What's another way?", True),
        ("Anything ELSE?", True),
        ("What could you do?", False),
        ("What is the otherwise option?", False),
        ("Furthermore, what now?", False),
        ("Who is the mother company?", False),
        ("", False),
    ],
)
def test_mentions_else(text: str, expected: bool) -> None:
    assert mentions_else(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What was most useful for you today?", True),
        ("What did you learn?", True),
        ("What have you learned about this customer?", True),
        ("What have you learnt?", True),
        ("What is your takeaway?", True),
        ("What's your take-away?", True),
        ("What will you take away from this?", True),
        ("Any insights?", True),
        ("What are you learning?", True),
        ("What will you do next?", False),
        ("Who is the learner here?", False),
        ("How useless was it?", False),
        ("", False),
    ],
)
def test_asks_learning(text: str, expected: bool) -> None:
    assert asks_learning(text) is expected


_SPEECHY = st.lists(
    st.sampled_from(
        [
            "you",
            "I",
            "I'll",
            "I’ll",
            "just",
            "should",
            "need",
            "to",
            "have",
            "tried",
            "why",
            "don't",
            "not",
            "let",
            "me",
            "what",
            "do",
            "is",
            "it",
            "isn't",
            ",",
            ".",
            "?",
            "-",
            "—",
            "“",
            "'",
            "so",
            "else",
        ]
    ),
    max_size=12,
).map(" ".join)

_FUNCTIONS = (
    closed_question_word,
    advice_question_phrase,
    fact_question,
    question_findings,
    leading_phrase,
    advice_phrase,
    is_first_person,
    mentions_else,
    asks_learning,
)


@given(st.one_of(st.text(), _SPEECHY))
def test_every_function_accepts_any_text(text: str) -> None:
    for function in _FUNCTIONS:
        function(text)


@given(st.one_of(st.text(), _SPEECHY))
def test_found_phrases_are_taken_from_the_text(text: str) -> None:
    for function in (closed_question_word, leading_phrase, advice_phrase, advice_question_phrase, fact_question):
        found = function(text)
        assert found is None or (found and found in text)
