"""Seeded synthetic contact-centre conversations for the benchmarks.

Contract:
- `conversations(n, seed=…)` returns `n` domain `Conversation`s, the same ones for the same
  (n, seed) on every machine: everything is drawn from one `random.Random(seed)`.
- Each is a chat-like exchange of 8–14 turns built from varied phrase templates: a greeting (or
  none), the customer's issue in one of several topics, an identity check, investigation,
  apologies, a resolution and a closing. About one in six is rude (the agent says prohibited
  things, the customer gets angry); about one in four has an upset customer the agent calms down.
  So the default-qa scorecard gives a spread of scores, not one value.
- Metadata spreads over 24 agents in 4 teams, 7 queues, a handful of tags and outcomes; started_at
  spreads over the 30 days before `T0`. Turns carry offsets and ends, so the measures have timing.
- `frame(n, seed=…)` is a processed conversation set (SPEC appendix B columns plus the analysis
  columns of default-qa) of `n` rows, built column-wise so a million rows take about a second.
"""

from __future__ import annotations

import array
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import polars as pl

from redflare.domain.conversation import Channel, Conversation, Speaker, Turn

T0 = datetime(2026, 3, 1, tzinfo=UTC)
INTEGRATION = "bench"
SPAN_S = 30 * 24 * 3600

TEAMS: dict[str, list[str]] = {
    "Billing": ["refunds", "payments"],
    "Support": ["technical", "accounts"],
    "Sales": ["upgrades"],
    "Retention": ["cancellations", "win-back"],
}
AGENT_NAMES = [
    "Dana Ito", "Sam Lee", "Ana Ruiz", "Bo Chen", "Priya Nair", "Tom Walsh", "Lena Vogel", "Omar Haddad",
    "Kim Park", "Jo Evans", "Luca Rossi", "Mia Novak", "Raj Patel", "Eve Martin", "Noah Berg", "Ines Costa",
    "Yuki Sato", "Ali Demir", "Zoe Clark", "Max Braun", "Ivy Tran", "Leo Silva", "Ada Kowal", "Ben Okafor",
]  # fmt: skip
AGENT_TEAM = {name: list(TEAMS)[i % len(TEAMS)] for i, name in enumerate(AGENT_NAMES)}
TAGS = ["vip", "repeat-contact", "new-customer", "escalation", "social-media", "churn-risk"]
OUTCOMES = ["resolved", "resolved", "resolved", "escalated", "follow-up", "abandoned"]
CUSTOMER_NAMES = ["Alex Moore", "Chris Diaz", "Jamie Fox", "Pat Kelly", "Robin Shah", "Sasha Wong", "Taylor Reid"]

GREETINGS = [
    "Hello, thanks for contacting {company}, this is {agent}. How can I help you today?",
    "Hi there, welcome to {company} support, my name is {agent}. What can I do for you?",
    "Good morning, thank you for calling {company}, you're speaking with {agent}.",
    "Hey there, {agent} here from {company}. How may I help?",
    "Good afternoon and thanks for reaching out to {company}. I'm {agent}, how can I assist?",
]
CURT_GREETINGS = ["Yeah, what is it.", "Go ahead.", "{agent}. What do you want?", "Support. Make it quick."]
IDENTITY_ASKS = [
    "Before I look into it, can I have your full name and your account number?",
    "Could you confirm your email address and the last four digits of the card, please?",
    "To verify your identity, may I have your name and date of birth?",
    "I'll need to confirm your identity first. What's your account ID?",
    "Can you give me your order ID and your postcode so I can verify the account?",
]
IDENTITY_ANSWERS = [
    "Sure, it's {customer}, account {number}.",
    "{customer}, and the account number is {number}.",
    "Yes, my email is {handle}@example.com and the last four are {digits}.",
    "It's {customer}, born in {year}.",
    "Order {number}, postcode {postcode}.",
]
TOPICS: dict[str, dict[str, list[str]]] = {
    "double charge": {
        "issue": [
            "I was charged twice for my last order.",
            "There are two identical payments on my card statement this month.",
            "Your system billed me twice and I want my money back.",
        ],
        "detail": ["Both charges were for {amount} dollars on the {day}th.", "It shows up as pending and then posted."],
        "work": ["I can see the duplicate payment here.", "Let me check the billing history on the account."],
        "fix": [
            "The duplicate charge has been refunded; it will show in three to five days.",
            "I have reversed the second payment and the refund has been processed.",
        ],
    },
    "late delivery": {
        "issue": [
            "My package was supposed to arrive on Monday and it still isn't here.",
            "The tracking hasn't moved for a week.",
            "I ordered a gift and it never showed up.",
        ],
        "detail": ["The order number is on the email, it says in transit.", "I paid for express shipping, too."],
        "work": ["Let me look at the courier's tracking for that parcel.", "I'm checking with the warehouse now."],
        "fix": [
            "I've sent a replacement by express and it's all set for tomorrow.",
            "The parcel was lost, so I've issued a full refund and the shipping fee has been refunded.",
        ],
    },
    "login problem": {
        "issue": [
            "I can't log in to my account, it keeps saying my password is wrong.",
            "The app locked me out after the update.",
            "I never got the password reset email.",
        ],
        "detail": ["I tried resetting it three times already.", "It worked fine on my laptop until yesterday."],
        "work": ["I can see the account was locked after several attempts.", "Let me unlock that for you."],
        "fix": [
            "I've unlocked the account and sent a new reset link, you should be sorted out now.",
            "Your access has been updated, please try logging in again.",
        ],
    },
    "plan change": {
        "issue": [
            "I'd like to upgrade to the family plan.",
            "Can I switch to the annual subscription instead of monthly?",
            "I want to downgrade, the premium plan is too expensive.",
        ],
        "detail": ["I'd like it to start from the next billing cycle.", "Does that change the price this month?"],
        "work": ["Let me see which plans your account qualifies for.", "I'm looking at the options now."],
        "fix": [
            "Your plan has been updated and the new price applies from next month.",
            "That's taken care of, the change is confirmed by email.",
        ],
    },
    "cancellation": {
        "issue": [
            "I want to cancel my subscription.",
            "Please close my account, I'm moving to another provider.",
            "I'd like to stop the automatic renewal.",
        ],
        "detail": ["I found a cheaper offer elsewhere.", "I just don't use it enough anymore."],
        "work": ["I understand. Let me see if there's an offer I can give you first.", "Let me pull up the contract."],
        "fix": [
            "I've cancelled the renewal and your access runs until the end of the month.",
            "Your cancellation has been processed and you won't be charged again.",
        ],
    },
}
APOLOGIES = [
    "I'm really sorry about that.",
    "I apologise for the trouble this has caused.",
    "I understand your frustration, and I'm sorry.",
    "My apologies, that shouldn't have happened.",
]
UPSET_LINES = [
    "This is ridiculous, I've been waiting for ages and nobody helps me!",
    "I am really angry, this is the third time I'm contacting you.",
    "Honestly this is terrible service and I'm fed up.",
    "I'm so frustrated, why is this so hard?",
]
CALMED_LINES = ["Okay, thank you, that helps.", "Alright, I appreciate it.", "Fine, thanks for sorting it."]
RUDE_AGENT = [
    "Calm down, it's not my problem.",
    "You people always say that.",
    "Deal with it, I can't do anything.",
    "That's not my job, I don't care what the website says.",
]
ANGRY_CUSTOMER = [
    "I am furious, this is the worst service ever!",
    "This is awful, I hate dealing with you.",
    "Unbelievable. I want to speak to a manager.",
    "You are useless, I'm cancelling everything.",
]
FILLER_AGENT = [
    "Thanks for waiting, I'm still looking into it.",
    "Just a moment while I check that.",
    "Bear with me, the system is a little slow today.",
    "I've added a note to your account.",
]
FILLER_CUSTOMER = [
    "Okay, no problem.",
    "Sure, take your time.",
    "How long will that take?",
    "Will I get an email about it?",
    "Great, thanks.",
]
ANYTHING_ELSE = [
    "Is there anything else I can help you with today?",
    "Anything else I can do for you?",
    "Is there anything else you need?",
]
NOTHING_ELSE = ["No, that's everything, thank you so much!", "No thanks, that's great.", "That's all, cheers."]
ABRUPT_ENDS = ["Ok.", "Noted.", "Right, done."]
CLOSINGS = [
    "You're welcome. Have a great day, goodbye!",
    "Glad I could help. Take care!",
    "Thanks for contacting us, have a nice day.",
    "It was a pleasure to help, bye!",
]


def _fill(rng: random.Random, template: str, agent: str, customer: str) -> str:
    return template.format(
        company=rng.choice(["Acme", "Northwind", "Globex", "Initech"]),
        agent=agent.split()[0],
        customer=customer,
        number=rng.randint(1000, 99999),
        handle=customer.split()[0].lower(),
        digits=rng.randint(1000, 9999),
        year=rng.randint(1950, 2004),
        postcode=f"{rng.choice('ABCDEFGHJK')}{rng.randint(1, 99)} {rng.randint(1, 9)}XY",
        amount=rng.randint(9, 250),
        day=rng.randint(1, 28),
    )


def _script(rng: random.Random, agent: str, customer: str) -> list[tuple[Speaker, str]]:
    """One conversation's lines: its mood decides which templates it draws from."""
    a, c = Speaker.AGENT, Speaker.CUSTOMER
    target = rng.randint(8, 14)
    topic = TOPICS[rng.choice(list(TOPICS))]
    mood = rng.choices(["polite", "upset", "rude"], weights=[59, 25, 16])[0]

    def pick(lines: list[str]) -> str:
        return _fill(rng, rng.choice(lines), agent, customer)

    opening = [(a, pick(CURT_GREETINGS if mood == "rude" else GREETINGS)), (c, pick(topic["issue"]))]
    if mood == "upset":
        opening.append((c, pick(UPSET_LINES)))
    if rng.random() < (0.5 if mood == "rude" else 0.85):  # some agents skip the identity check
        opening += [(a, pick(IDENTITY_ASKS)), (c, pick(IDENTITY_ANSWERS))]
    if mood == "rude":
        closing = [(a, pick(RUDE_AGENT)), (c, pick(ANGRY_CUSTOMER))]
        if rng.random() < 0.5:
            closing.append((a, "Whatever. Bye."))
    elif rng.random() < 0.8:
        closing = [(a, pick(ANYTHING_ELSE)), (c, pick(NOTHING_ELSE)), (a, pick(CLOSINGS))]
    else:  # an abrupt end: no "anything else", no goodbye
        closing = [(c, pick(NOTHING_ELSE)), (a, pick(ABRUPT_ENDS))]
    middle: list[tuple[Speaker, str]] = []
    if mood == "upset" or (mood == "polite" and rng.random() < 0.4):  # some apologise unprompted
        middle.append((a, pick(APOLOGIES)))
    middle += [(a, pick(topic["work"])), (c, pick(topic["detail"]))]
    if mood == "rude":
        middle.append((a, pick(RUDE_AGENT)))
    middle.append((a, pick(topic["fix"])))
    if mood == "upset":
        middle.append((c, pick(CALMED_LINES)))
    while len(opening) + len(middle) + len(closing) < target:
        middle.insert(rng.randint(0, len(middle)), (a, pick(FILLER_AGENT)))
        if len(opening) + len(middle) + len(closing) < target:
            middle.insert(rng.randint(0, len(middle)), (c, pick(FILLER_CUSTOMER)))
    return opening + middle + closing  # 8 to 13 lines before filler, never past 14


def _turns(rng: random.Random, lines: list[tuple[Speaker, str]]) -> tuple[tuple[Turn, ...], float]:
    at = 0.0
    turns = []
    for speaker, text in lines:
        at += rng.uniform(0.5, 6.0)  # the pause before the turn
        end = at + max(1.0, len(text) / rng.uniform(12, 18))  # typing/speaking time grows with length
        turns.append(Turn(speaker, text, round(at, 2), round(end, 2)))
        at = end
    return tuple(turns), round(at + rng.uniform(2, 20), 1)


def conversation(rng: random.Random, index: int) -> Conversation:
    """The `index`-th synthetic conversation, drawn from `rng`."""
    agent = rng.choice(AGENT_NAMES)
    team = AGENT_TEAM[agent]
    customer = rng.choice(CUSTOMER_NAMES)
    turns, duration = _turns(rng, _script(rng, agent, customer))
    tags = tuple(sorted(rng.sample(TAGS, rng.choices([0, 1, 2], weights=[60, 30, 10])[0])))
    return Conversation(
        id=f"s-{index:07d}",
        integration=INTEGRATION,
        channel=rng.choices([Channel.CHAT, Channel.CALL, Channel.EMAIL], weights=[70, 20, 10])[0],
        turns=turns,
        started_at=T0 - timedelta(seconds=rng.randrange(SPAN_S)),
        duration_s=duration,
        agent=agent,
        customer=f"cust-{rng.randint(1, 50_000)}",
        team=team,
        queue=rng.choice(TEAMS[team]),
        tags=tags,
        outcome=rng.choice(OUTCOMES),
        language="en",
        metadata={"csat": rng.randint(1, 5)},
    )


def iter_conversations(n: int, *, seed: int = 7) -> Iterator[Conversation]:
    """`n` synthetic conversations one by one, the same for the same (n, seed)."""
    rng = random.Random(seed)
    for i in range(n):
        yield conversation(rng, i)


def conversations(n: int, *, seed: int = 7) -> list[Conversation]:
    """`n` synthetic conversations as a list (the same as `iter_conversations`)."""
    return list(iter_conversations(n, seed=seed))


def _uniform(rng: random.Random, n: int) -> pl.Series:
    """`n` floats in [0, 1) from 64-bit draws: a million in milliseconds, still only the seed decides."""
    draws = array.array("Q")
    draws.frombytes(rng.randbytes(8 * n))
    return pl.Series(draws, dtype=pl.UInt64).cast(pl.Float64) / 2.0**64


def _choice(rng: random.Random, values: list[str], n: int) -> pl.Series:
    return pl.Series(rng.choices(values, k=n), dtype=pl.String)


CRITERIA = [
    "greeting",
    "identity_check",
    "apology",
    "resolution",
    "closing",
    "no_prohibited_language",
    "customer_ends_satisfied",
]


def frame(n: int, *, seed: int = 11) -> pl.DataFrame:
    """A processed conversation set of `n` rows (appendix B + default-qa analysis columns)."""
    rng = random.Random(seed)
    agents = _choice(rng, AGENT_NAMES, n)
    score = (_uniform(rng, n) * 100).round(1)
    sentiment = (_uniform(rng, n) * 2 - 1).round(3)
    columns: dict[str, pl.Series] = {
        "id": pl.int_range(n, eager=True).cast(pl.String).str.zfill(7),
        "integration": pl.repeat(INTEGRATION, n, eager=True),
        "channel": _choice(rng, ["chat", "call", "email"], n),
        "started_at": (_uniform(rng, n) * SPAN_S).cast(pl.Int64),  # seconds before T0, made a date below
        "duration_s": (_uniform(rng, n) * 900 + 30).round(1),
        "agent": agents,
        "team": agents.replace_strict(AGENT_TEAM, return_dtype=pl.String),
        "queue": _choice(rng, [q for qs in TEAMS.values() for q in qs], n),
        "tags": _choice(rng, ["", "", "", "vip", "churn-risk", "escalation,vip"], n)
        .str.split(",")
        .list.eval(pl.element().filter(pl.element() != "")),
        "outcome": _choice(rng, OUTCOMES, n),
        "language": pl.repeat("en", n, eager=True),
        "pipeline": pl.repeat("default-qa", n, eager=True),
        "score": score,
        "sentiment": sentiment,
        "credits": pl.repeat(1.0, n, eager=True),
        "talk_ratio": (_uniform(rng, n)).round(3),
        "turns": (_uniform(rng, n) * 7 + 8).cast(pl.Int64),
        "silence_s": (_uniform(rng, n) * 60).round(1),
    }
    for name in CRITERIA:
        columns[f"criterion.{name}"] = _uniform(rng, n) < 0.8
    sentiment_of = pl.col("sentiment")
    label = (
        pl.when(sentiment_of < -0.05)
        .then(pl.lit("negative"))
        .when(sentiment_of > 0.05)
        .then(pl.lit("positive"))
        .otherwise(pl.lit("neutral"))
    )
    built = pl.DataFrame(columns).with_columns(
        id=pl.lit("s-") + pl.col("id"),
        started_at=pl.lit(T0, dtype=pl.Datetime("us", "UTC")) - pl.duration(seconds=pl.col("started_at")),
        sentiment_label=label,
    )
    names = list(columns)
    return built.select(*names[:14], "sentiment_label", *names[14:])  # the label next to the sentiment
