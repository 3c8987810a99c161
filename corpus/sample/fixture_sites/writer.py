"""Writes the synthetic sample: the content of every fixture site, deterministically.

Each document draws its sentences from the pools in `phrases.py` according to a stance mix
that depends on who speaks and when. The mixes encode the pattern later analysis should be
able to find: central government stays supportive throughout; councils and charities start
hopeful and grow sceptical after the October 2010 spending review; the opposition is
sceptical, think tanks split by outlook, academics mostly neutral or sceptical. Every
document also carries irrelevant material (procedure, budgets, other policy) in proportions
typical of its genre, and a few whole documents are irrelevant.
"""

import datetime as dt
import random
import re

from fixture_sites import phrases as P
from fixture_sites.model import (
    AgendaItem,
    Article,
    Capture,
    Committee,
    Council,
    CouncilDocument,
    Debate,
    GovukItem,
    Meeting,
    Member,
    Site,
    SittingDay,
    Speech,
)

SEED = "discourse-sample-2010"
SPENDING_REVIEW = dt.date(2010, 10, 20)
STANCES = ("support", "sceptical", "neutral", "irrelevant")


def rng_for(name: str) -> random.Random:
    return random.Random(f"{SEED}/{name}")


def after_review(day: dt.date) -> float:
    """Years since the 2010 spending review, 0 before it, capped at 3."""
    return min(max((day - SPENDING_REVIEW).days / 365.25, 0.0), 3.0)


def stance_mix(actor: str, day: dt.date, lean: float = 0.0) -> dict[str, float]:
    """Weights of each stance for a document by this actor on this day.

    `lean` shifts an actor toward support (+1) or scepticism (-1): a governing party's MPs,
    a think tank of the right or left.
    """
    t = after_review(day)
    if actor == "central_government":
        mix = {"support": 0.62, "sceptical": 0.03, "neutral": 0.28, "irrelevant": 0.07}
    elif actor in ("local_government", "charity"):
        mix = {
            "support": 0.42 - 0.09 * t,
            "sceptical": 0.12 + 0.13 * t,
            "neutral": 0.32,
            "irrelevant": 0.14,
        }
    elif actor == "media":
        mix = {
            "support": 0.22 - 0.04 * t,
            "sceptical": 0.24 + 0.08 * t,
            "neutral": 0.4,
            "irrelevant": 0.14,
        }
    elif actor == "academic":
        mix = {"support": 0.08, "sceptical": 0.3 + 0.04 * t, "neutral": 0.55, "irrelevant": 0.07}
    elif actor == "other":
        mix = {
            "support": 0.45 - 0.07 * t,
            "sceptical": 0.1 + 0.07 * t,
            "neutral": 0.25,
            "irrelevant": 0.2,
        }
    else:  # parliament, think_tank: by lean
        mix = {"support": 0.3, "sceptical": 0.3, "neutral": 0.3, "irrelevant": 0.1}
    if lean:
        shift = 0.25 * lean
        mix["support"] = max(mix["support"] + shift, 0.03)
        mix["sceptical"] = max(mix["sceptical"] - shift, 0.03)
    return mix


REGISTERS = {
    "speech": {
        "support": P.SUPPORT,
        "sceptical": P.SCEPTICAL,
        "neutral": P.NEUTRAL,
        "irrelevant": P.IRRELEVANT_POLICY,
    },
    "general": {
        "support": P.SUPPORT,
        "sceptical": P.SCEPTICAL,
        "neutral": P.NEUTRAL,
        "irrelevant": P.IRRELEVANT,
    },
    "council": {
        "support": P.COUNCIL_SUPPORT + P.SUPPORT[:6],
        "sceptical": P.COUNCIL_SCEPTICAL + P.SCEPTICAL[:6],
        "neutral": P.COUNCIL_NEUTRAL + P.NEUTRAL[:8],
        "irrelevant": P.COUNCIL_PROCEDURE,
    },
    "hansard": {
        "support": P.HANSARD_SUPPORT + P.SUPPORT[10:24],
        "sceptical": P.HANSARD_SCEPTICAL + P.SCEPTICAL[10:26],
        "neutral": P.HANSARD_NEUTRAL + P.NEUTRAL[:12],
        "irrelevant": P.HANSARD_PROCEDURE,
    },
    "academic": {
        "support": P.SUPPORT[20:],
        "sceptical": P.ACADEMIC_SCEPTICAL + P.SCEPTICAL[14:22],
        "neutral": P.ACADEMIC_NEUTRAL + P.NEUTRAL,
        "irrelevant": P.IRRELEVANT_POLICY[:4],
    },
}


class Pen:
    """Writes one document: its own slot values, and never the same template twice."""

    def __init__(self, rng: random.Random, **fixed: str):
        self.rng = rng
        self.slots = {key: rng.choice(values) for key, values in P.SLOTS.items()}
        self.slots["surname"] = rng.choice(P.SURNAMES)
        self.slots.update(fixed)
        self.used: set[str] = set()

    def fill(self, template: str, capital: bool = True) -> str:
        def value(match: re.Match) -> str:
            key = match[1]
            if key in ("n", "n2"):
                return self.rng.choice(P.SLOTS["n"])
            if key == "pct":
                return self.rng.choice(P.SLOTS["pct"])
            if key == "date":
                return f"{self.rng.randint(1, 28)} {self.rng.choice(P.SLOTS['month'])}"
            if key == "time":
                return f"{self.rng.choice(['7.42', '8.15', '9.05', '12.30', '4.50'])} pm"
            return self.slots[key]

        text = re.sub(r"\{(\w+)\}", value, template)
        return text[0].upper() + text[1:] if capital else text

    def draw(self, pool: list[str], count: int = 1) -> list[str]:
        fresh = [t for t in pool if t not in self.used]
        chosen = self.rng.sample(fresh, min(count, len(fresh)))
        self.used.update(chosen)
        return [self.fill(t) for t in chosen]

    def mixed(self, mix: dict[str, float], count: int, register: str = "general") -> list[str]:
        """`count` sentences drawn by stance, those of one stance kept together (a writer
        makes a point over several sentences before turning to the next)."""
        pools = REGISTERS[register]
        drawn: list[tuple[str, str]] = []
        for _ in range(count):
            stance = self.rng.choices(STANCES, weights=[mix[s] for s in STANCES])[0]
            for sentence in self.draw(pools[stance]) or self.draw(pools["neutral"]):
                drawn.append((stance, sentence))
        order = list(dict.fromkeys(stance for stance, _ in drawn))
        return [sentence for _, sentence in sorted(drawn, key=lambda pair: order.index(pair[0]))]

    def paragraphs(self, sentences: list[str], low: int = 2, high: int = 4) -> list[str]:
        out, i = [], 0
        while i < len(sentences):
            size = self.rng.randint(low, high)
            out.append(" ".join(sentences[i : i + size]))
            i += size
        return out


def day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:70]


def person(rng: random.Random) -> str:
    return f"{rng.choice(P.FORENAMES)} {rng.choice(P.SURNAMES)}"


# -- the press release republished on several sites ------------------------------------------

PRESS_RELEASE_TITLE = "£2.5 million fund to help community groups take over local buildings"
PRESS_RELEASE_DATE = dt.datetime(2011, 2, 14, 9, 30)
PRESS_RELEASE = [
    "Community groups across England will be able to bid for a share of a £2.5 million fund to "
    "help them take over and run local buildings such as libraries, pubs and community halls, "
    "the Minister for Civil Society announced today.",
    "The fund will pay for expert advice, surveys and business planning, so that groups who want "
    "to take on an asset can show that they are ready to run it for the long term.",
    "The Minister said: \u201cUp and down the country there are people who want to save the "
    "places that matter to them. This money will help them turn that ambition into a workable "
    "plan, and it shows that we are serious about handing power to communities.\u201d",
    "Applications open on 1 March and will be assessed by an independent panel. Priority will be "
    "given to groups in areas where community organisations have been thin on the ground.",
    "The fund forms part of the wider programme to support the community right to bid, which "
    "will allow groups to nominate buildings and land as assets of community value.",
]

# -- GOV.UK ----------------------------------------------------------------------------------

MINISTERS = [
    (
        "Rt Hon Richard Ormerod MP",
        "Prime Minister",
        ["Prime Minister's Office, 10 Downing Street", "Cabinet Office"],
    ),
    ("Nicholas Pennock MP", "Minister for Civil Society", ["Cabinet Office"]),
    (
        "Rt Hon Eleanor Whitlock MP",
        "Secretary of State for Communities and Local Government",
        ["Department for Communities and Local Government"],
    ),
    (
        "Simon Garside MP",
        "Minister for Decentralisation",
        ["Department for Communities and Local Government"],
    ),
    ("Rt Hon Teresa Lomax MP", "Minister for the Cabinet Office", ["Cabinet Office"]),
    (
        "Baroness Thwaite",
        "Parliamentary Under Secretary of State",
        ["Department for Communities and Local Government"],
    ),
]
TOPICS = [
    "the Big Society",
    "localism",
    "civil society",
    "social action",
    "open public services",
    "community rights",
    "volunteering",
    "social investment",
    "community organisers",
    "giving and philanthropy",
    "public service mutuals",
    "neighbourhood planning",
]
EVENTS = [
    "the Voluntary Action Network annual conference",
    "the Local Futures summit",
    "a community centre in {place}",
    "the Social Enterprise Forum",
    "the launch of the community organisers programme",
    "the Charity Finance Forum",
    "a town hall meeting in {place}",
    "the Civic Renewal lecture",
    "the Parish and Town Councils convention",
]
SPEECH_OPEN = [
    "Thank you for inviting me to speak at {event}.",
    "It is a real pleasure to be here at {event}.",
    "I want to begin by thanking everyone at {event} for such a warm welcome.",
    "Good morning, and thank you all for coming to {event}.",
]
SPEECH_CLOSE = [
    "So let us get on with it, together. Thank you.",
    "Thank you very much.",
    "I look forward to hearing your questions.",
    "That is the task in front of us, and I am confident we can meet it. Thank you.",
]
ANNOUNCEMENTS = [
    "new rights for communities to run local services",
    "{money} for community groups in {place}",
    "the next wave of community organisers",
    "plans to open up public services to charities and mutuals",
    "a new fund for neighbourhood planning",
    "support for volunteering in National Citizen Service",
    "a review of red tape facing small charities",
    "the first social investment deals",
]


def govuk_items() -> list[GovukItem]:
    rng = rng_for("govuk")
    items: list[GovukItem] = []
    types = (
        ["speech"] * 9
        + ["written_statement"] * 3
        + ["oral_statement"] * 2
        + ["news_story"] * 5
        + ["press_release"]
    )
    for index in range(30):
        document_type = types[index % len(types)]
        day = day_between(rng, dt.date(2010, 5, 20), dt.date(2015, 3, 25))
        name, role, organisations = rng.choice(MINISTERS)
        topic = rng.choice(TOPICS)
        pen = Pen(rng, event="")
        pen.slots["event"] = pen.fill(rng.choice(EVENTS), capital=False)
        mix = stance_mix("central_government", day)
        if document_type == "speech":
            title = rng.choice(
                [
                    f"{topic[0].upper() + topic[1:]}: speech at {pen.slots['event']}",
                    f"{role} speech on {topic}",
                    f"Building {topic} in {pen.slots['place']}",
                    f"{topic[0].upper() + topic[1:]} and the future of public services",
                ]
            )
            sentences = [pen.fill(rng.choice(SPEECH_OPEN))] + pen.mixed(
                mix, rng.randint(10, 16), "speech"
            )
            sentences.append(rng.choice(SPEECH_CLOSE))
            body = pen.paragraphs(sentences, 2, 3)
        elif document_type in ("oral_statement", "written_statement"):
            title = f"{topic[0].upper() + topic[1:]}: {'oral' if document_type == 'oral_statement' else 'written'} statement to Parliament"
            opening = (
                f"With permission, Mr Speaker, I would like to make a statement on {topic}."
                if document_type == "oral_statement"
                else f"My right honourable friend the {role} has today made the following statement on {topic}."
            )
            body = pen.paragraphs([opening] + pen.mixed(mix, rng.randint(6, 10), "speech"), 2, 3)
        else:
            announcement = pen.fill(rng.choice(ANNOUNCEMENTS))
            title = f"{role} announces {announcement}"
            quote = " ".join(
                pen.mixed({"support": 1, "sceptical": 0, "neutral": 0, "irrelevant": 0}, 2)
            )
            body = [
                f"The {role}, {name}, today announced {announcement}.",
                f"\u201c{quote}\u201d said {name.replace('Rt Hon ', '').replace(' MP', '')}.",
                *pen.paragraphs(pen.mixed(mix, rng.randint(4, 7), "speech"), 2, 3),
            ]
        base = (
            "/government/news/"
            if document_type in ("news_story", "press_release")
            else "/government/speeches/"
        )
        item = GovukItem(
            base_path=base + slug(title) + f"-{day.year}",
            title=title,
            document_type=document_type,
            published=dt.datetime.combine(day, dt.time(10, 0)),
            body_html=govspeak(body, rng),
            description=f"{name.replace(' MP', '')} on {topic}.",
            organisations=organisations,
            location=pen.slots["place"] if document_type == "speech" else None,
        )
        if document_type in ("news_story", "press_release"):
            item.people = [name]
        else:
            item.speaker, item.role = name, role
        items.append(item)
    items += govuk_special_items(rng)
    return items


def govspeak(paragraphs: list[str], rng: random.Random) -> str:
    """Paragraphs as GOV.UK body HTML (govspeak), with the entities real bodies carry."""
    parts = []
    for i, paragraph in enumerate(paragraphs):
        text = paragraph.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&#8217;")
        if i and i % 4 == 0 and rng.random() < 0.5:
            parts.append(f'<h2 id="section-{i}">{text.split(".")[0][:60]}</h2>')
        parts.append(f"<p>{text}</p>")
    return '<div class="govspeak">' + "\n".join(parts) + "</div>"


def govuk_special_items(rng: random.Random) -> list[GovukItem]:
    """Items that exercise the adapter's edge cases."""
    pen = Pen(rng)
    pm = MINISTERS[0]
    return [
        GovukItem(
            base_path="/government/news/2-5-million-fund-to-help-community-groups-take-over-local-buildings",
            title=PRESS_RELEASE_TITLE,
            document_type="press_release",
            published=PRESS_RELEASE_DATE,
            body_html=govspeak(PRESS_RELEASE, rng),
            description="A new fund for community groups who want to take over local buildings.",
            organisations=["Cabinet Office"],
            people=["Nicholas Pennock MP"],
        ),
        GovukItem(
            base_path="/government/news/cronfa-newydd-i-grwpiau-cymunedol-big-society.cy",
            title="Cronfa newydd i grwpiau cymunedol a’r Big Society",
            document_type="news_story",
            published=dt.datetime(2012, 3, 1, 11, 0),
            body_html=govspeak(
                ["Mae’r Big Society yn golygu rhoi mwy o rym i bobl leol."] + P.WELSH, rng
            ),
            organisations=["Wales Office"],
            locale="cy",
        ),
        GovukItem(
            base_path="/government/speeches/big-society-awards-speech",
            title="Big Society Awards: speech",
            document_type="speech",
            published=dt.datetime(2011, 6, 9, 18, 0),
            body_html=govspeak(
                pen.paragraphs(
                    ["It is a privilege to present this year's awards."]
                    + pen.mixed(stance_mix("central_government", dt.date(2011, 6, 9)), 9, "speech"),
                    2,
                    3,
                ),
                rng,
            ),
            speaker=pm[0],
            role=pm[1],
            organisations=pm[2],
            withdrawn=(
                dt.datetime(2014, 7, 15, 9, 0),
                '<div class="govspeak"><p>This speech was withdrawn because the awards scheme has closed.</p></div>',
            ),
        ),
        GovukItem(
            base_path="/government/news/community-first-panels-announced",
            title="Community First panels announced in 600 neighbourhoods",
            document_type="news_story",
            published=dt.datetime(2013, 1, 22, 9, 0),
            body_html=govspeak(
                pen.paragraphs(
                    pen.mixed(stance_mix("central_government", dt.date(2013, 1, 22)), 7, "speech"),
                    2,
                    3,
                ),
                rng,
            ),
            organisations=["Cabinet Office"],
            people=[MINISTERS[1][0]],
            withdrawn=(
                dt.datetime(2015, 9, 1, 12, 0),
                "<p>This news story is no longer current: the programme closed in March 2015.</p>",
            ),
        ),
        GovukItem(
            base_path="/government/speeches/social-action-adviser-speech-to-youth-leaders",
            title="Social action: speech to youth leaders",
            document_type="speech",
            published=dt.datetime(2013, 10, 3, 14, 0),
            body_html=govspeak(
                pen.paragraphs(
                    ["Thank you for having me."]
                    + pen.mixed(
                        stance_mix("central_government", dt.date(2013, 10, 3)), 8, "speech"
                    ),
                    2,
                    3,
                ),
                rng,
            ),
            speaker_without_profile="Sir Vincent Rushworth, Government adviser on youth social action",
            organisations=["Cabinet Office"],
        ),
        GovukItem(
            base_path="/government/speeches/digital-infrastructure-a-big-step-for-the-information-society",
            title="Digital infrastructure: a big step for the information society",
            document_type="speech",
            published=dt.datetime(2012, 5, 17, 10, 0),
            body_html=govspeak(
                [
                    "Thank you for inviting me to open this year's broadband conference.",
                    "Superfast broadband is a big investment in the future of every region, and we intend to reach ninety per cent of homes by the end of the Parliament.",
                    "The information society depends on networks that reach rural areas as well as cities, which is why the rural programme matters so much.",
                    "Mobile coverage remains patchy on many rail lines, and the operators have agreed to publish new maps of not-spots.",
                    "I look forward to seeing the first connections switched on this summer. Thank you.",
                ],
                rng,
            ),
            speaker=MINISTERS[4][0],
            role=MINISTERS[4][1],
            organisations=["Department for Culture, Media and Sport"],
        ),
        GovukItem(
            base_path="/government/speeches/big-society-video-message",
            title="Big Society: video message to the volunteering awards",
            document_type="speech",
            published=dt.datetime(2012, 11, 30, 19, 0),
            body_html='<div class="govspeak"></div>',
            speaker=pm[0],
            role=pm[1],
            organisations=pm[2],
        ),
        GovukItem(
            base_path="/government/speeches/big-society-pre-election-speech",
            title="The Big Society: speech in opposition",
            document_type="speech",
            published=dt.datetime(2009, 11, 10, 12, 0),
            body_html=govspeak(
                pen.paragraphs(
                    pen.mixed(stance_mix("central_government", dt.date(2009, 11, 10)), 6, "speech")
                ),
                rng,
            ),
            speaker=pm[0],
            role="Leader of the Opposition",
            organisations=["Cabinet Office"],
        ),
        GovukItem(
            base_path="/government/speeches/civil-society-after-the-election",
            title="Civil society & the \u2018Big Society\u2019 after the election",
            document_type="speech",
            published=dt.datetime(2016, 2, 2, 12, 0),
            body_html=govspeak(
                pen.paragraphs(
                    pen.mixed(stance_mix("central_government", dt.date(2016, 2, 2)), 6, "speech")
                ),
                rng,
            ),
            speaker=MINISTERS[1][0],
            role=MINISTERS[1][1],
            organisations=["Cabinet Office"],
        ),
    ]


# -- Hansard ---------------------------------------------------------------------------------

COMMONS_MEMBERS = [
    ("Mrs Karen Upton", "Conservative"),
    ("Mr David Scargill", "Labour"),
    ("Simon Garside", "Conservative"),
    ("Ms Rachel Bramley", "Labour"),
    ("Mr James Lomax", "Liberal Democrat"),
    ("Nicholas Pennock", "Conservative"),
    ("Mrs Gillian Halloran", "Labour"),
    ("Mr Patrick Nutley", "Conservative"),
    ("Catherine Fairbrother", "Labour"),
    ("Mr Leonard Iveson", "Liberal Democrat"),
    ("Dr Imogen Kettering", "Conservative"),
    ("Mr Frank Rushworth", "Labour"),
    ("Alison Merriman", "Conservative"),
    ("Mr Brian Thwaite", "Labour"),
    ("Olive Carrow", "Liberal Democrat"),
]
LORDS_MEMBERS = [
    ("Lord Carrow of Wexcombe", "Conservative"),
    ("Baroness Iveson", "Labour"),
    ("Lord Dunmore", "Liberal Democrat"),
    ("The Lord Bishop of Fennick", "Bishop"),
    ("Baroness Nutley", "Crossbench"),
    ("Lord Vasey", "Conservative"),
    ("Lord Jarrold", "Labour"),
    ("Baroness Yardley", "Crossbench"),
]
GOVERNING = {
    "Conservative": 1.0,
    "Liberal Democrat": 0.4,
    "Labour": -1.2,
    "Crossbench": -0.3,
    "Bishop": -0.4,
}
COMMONS_DEBATES = [
    "Big Society",
    "Localism Bill",
    "Voluntary Sector (Funding)",
    "Community Right to Bid",
    "Charities and Social Enterprises",
    "Big Society Bank",
    "National Citizen Service and Youth Volunteering",
    "Community Organisers",
    "Public Service Mutuals",
    "Localism: Neighbourhood Planning",
]
LORDS_DEBATES = [
    "Big Society: Voluntary Sector",
    "Localism Bill",
    "Charities: Funding",
    "Social Investment",
    "Civil Society: Volunteering",
    "Localism: Community Assets",
]
UNRELATED_DEBATES = {
    "Rail Franchising": [
        "The franchise competition for the west coast line has been delayed by three months.",
        "Passengers in my constituency have seen fares rise faster than wages for five years running.",
        "The Department will publish the revised timetable for the competition before the summer recess.",
        "New rolling stock is due to enter service on the route in the next financial year.",
    ],
    "Flood Defences": [
        "The winter storms overtopped the sea wall in two places along the estuary.",
        "The Environment Agency has brought forward the capital scheme for the river catchment.",
        "Insurance for homes in high-risk areas remains a serious concern for my constituents.",
        "Funding for maintenance of existing defences has been protected in cash terms.",
    ],
    "Armed Forces Covenant": [
        "Service families continue to face difficulties in obtaining school places after a posting.",
        "The annual report on the covenant will be laid before the House in December.",
        "Veterans' mental health services have received additional investment this year.",
    ],
    "Dairy Industry": [
        "Milk prices paid to farmers have fallen below the cost of production.",
        "The voluntary code of practice on contracts comes into force in the autumn.",
        "Farmers in the south-west have told me they cannot plan beyond the next quarter.",
    ],
    "Energy Prices": [
        "Household energy bills have risen by more than a fifth over two winters.",
        "The regulator is reviewing the way suppliers set their standing charges.",
        "Switching rates remain low among older customers and those on prepayment meters.",
    ],
}


def hansard_members() -> list[Member]:
    members = []
    for i, (name, party) in enumerate(COMMONS_MEMBERS):
        members.append(
            Member(
                f"uk.org.publicwhip/person/9{1000 + i}",
                f"uk.org.publicwhip/member/9{5000 + i}",
                name,
                party,
                "commons",
            )
        )
    for i, (name, party) in enumerate(LORDS_MEMBERS):
        members.append(
            Member(
                f"uk.org.publicwhip/person/9{2000 + i}",
                f"uk.org.publicwhip/lord/19{1000 + i}",
                name,
                party,
                "lords",
            )
        )
    # a defection: the last Liberal Democrat MP sits as an independent from 2013
    carrow = members[len(COMMONS_MEMBERS) - 1]
    members[len(COMMONS_MEMBERS) - 1] = Member(
        carrow.person_id, carrow.member_id, carrow.name, carrow.party, "commons", end="2013-03-31"
    )
    members.append(
        Member(
            carrow.person_id,
            carrow.member_id + "b",
            carrow.name,
            "Independent",
            "commons",
            start="2013-04-01",
        )
    )
    return members


def hansard_days() -> list[SittingDay]:
    rng = rng_for("hansard")
    members = [m for m in hansard_members() if m.start == "2010-05-06"]
    commons = [m for m in members if m.house == "commons"]
    lords = [m for m in members if m.house == "lords"]
    commons_dates = [
        dt.date(2010, 6, 8),
        dt.date(2010, 11, 17),
        dt.date(2011, 1, 17),
        dt.date(2011, 5, 11),
        dt.date(2011, 11, 23),
        dt.date(2012, 3, 14),
        dt.date(2012, 10, 24),
        dt.date(2013, 6, 5),
        dt.date(2014, 2, 26),
        dt.date(2015, 1, 21),
    ]
    lords_dates = [
        dt.date(2010, 7, 1),
        dt.date(2011, 6, 16),
        dt.date(2012, 2, 9),
        dt.date(2012, 11, 8),
        dt.date(2013, 11, 14),
        dt.date(2014, 10, 30),
    ]
    days = []
    for chamber, dates, headings, pool in (
        ("commons", commons_dates, COMMONS_DEBATES, commons),
        ("lords", lords_dates, LORDS_DEBATES, lords),
    ):
        for n, day in enumerate(dates):
            prefix = "debate" if chamber == "commons" else "lords"
            column = 100 + 37 * n
            debates = [_relevant_debate(rng, chamber, day, headings[n], pool, prefix, column)]
            unrelated = list(UNRELATED_DEBATES)[n % len(UNRELATED_DEBATES)]
            debates.insert(
                rng.randint(0, 1),
                _unrelated_debate(rng, chamber, day, unrelated, pool, prefix, column + 20),
            )
            days.append(SittingDay(chamber, day, debates))
    # a corrected reissue: the 17 January 2011 Commons day exists as a and b
    corrected = days[2]
    original = SittingDay(corrected.chamber, corrected.date, _with_typo(corrected.debates), "a")
    corrected.letter, corrected.superseded = "b", original
    return days


LORDS_OPEN = [
    "My Lords, I am grateful to the noble Baroness for securing this debate.",
    "My Lords, I declare an interest as a trustee of a local charity.",
    "My Lords, I shall be brief.",
    "My Lords, I welcome the opportunity to speak in this debate.",
    "My Lords, I rise to support the Motion.",
]
COMMONS_COURTESY = [
    "I thank the hon. Member for that point.",
    "I am grateful to my hon. Friend.",
    "I congratulate the hon. Lady on securing this debate.",
]


def _speech_text(rng, pen, mix, chamber: str, first: bool) -> list[str]:
    sentences = pen.mixed(mix, rng.randint(2, 6), "hansard")
    if chamber == "lords":
        sentences.insert(0, rng.choice(LORDS_OPEN))
    elif not first and rng.random() < 0.4:
        sentences.insert(0, rng.choice(COMMONS_COURTESY))
    return pen.paragraphs(sentences, 1, 3)


def _relevant_debate(rng, chamber, day, heading, pool, prefix, column) -> Debate:
    gid = f"{day.isoformat()}a.{column}"
    speeches = []
    speakers = rng.sample(pool, min(len(pool), rng.randint(4, 6)))
    for i, member in enumerate(speakers):
        pen = Pen(rng)
        mix = stance_mix("parliament", day, GOVERNING[member.party])
        speeches.append(
            Speech(
                gid=f"{gid}.{i + 1}",
                speaker=member.name,
                member_id=member.member_id if (i % 3 == 2) else member.person_id,
                paragraphs=_speech_text(rng, pen, mix, chamber, i == 0),
                time=f"{14 + i // 3}:{(7 * i) % 60:02d}:00",
                colnum=str(column + i // 2),
                old_style_id=(i % 3 == 2),
            )
        )
    if chamber == "commons":
        speeches.insert(
            1,
            Speech(
                f"{gid}.{len(speakers) + 1}",
                "Mr Speaker",
                None,
                [f"Order. I call {speakers[1].name} to reply on {heading.lower()}."],
                colnum=str(column),
            ),
        )
    return Debate(heading, f"uk.org.publicwhip/{prefix}/{gid}.0", speeches, subheading=None)


def _unrelated_debate(rng, chamber, day, heading, pool, prefix, column) -> Debate:
    gid = f"{day.isoformat()}a.{column}"
    lines = UNRELATED_DEBATES[heading]
    speeches = []
    for i, member in enumerate(rng.sample(pool, 3)):
        chosen = rng.sample(lines, 2)
        if chamber == "lords":
            chosen.insert(0, rng.choice(LORDS_OPEN))
        speeches.append(
            Speech(
                f"{gid}.{i + 1}",
                member.name,
                member.person_id,
                [" ".join(chosen)],
                colnum=str(column),
            )
        )
    return Debate(heading, f"uk.org.publicwhip/{prefix}/{gid}.0", speeches, oral=True)


def _with_typo(debates: list[Debate]) -> list[Debate]:
    """The uncorrected first issue of a day: the same debates with a misprint in each speech."""
    out = []
    for debate in debates:
        speeches = [
            Speech(
                s.gid,
                s.speaker,
                s.member_id,
                [p.replace(" the ", " teh ", 1) for p in s.paragraphs],
                s.time,
                s.colnum,
                s.old_style_id,
            )
            for s in debate.speeches
        ]
        out.append(
            Debate(debate.heading, debate.heading_gid, speeches, debate.subheading, debate.oral)
        )
    return out


# -- councils (ModernGov) --------------------------------------------------------------------

COUNCILS = [
    (
        "democracy.kelbridgeshire.gov.uk.sample.invalid",
        "Kelbridgeshire County Council",
        "county",
        [
            (130, "Cabinet"),
            (141, "Communities and Localities Scrutiny Committee"),
            (150, "Planning and Regulation Committee"),
        ],
    ),
    (
        "democracy.fennick.gov.uk.sample.invalid",
        "Fennick District Council",
        "district",
        [(210, "Executive"), (214, "Community Overview and Scrutiny Panel")],
    ),
    (
        "moderngov.marrowfield.gov.uk.sample.invalid",
        "Marrowfield Council",
        "unitary",
        [(301, "Cabinet"), (309, "Stronger Communities Select Committee")],
    ),
    (
        "democracy.brackenmoor.gov.uk.sample.invalid",
        "Brackenmoor Metropolitan Borough Council",
        "metropolitan",
        [(402, "Cabinet"), (410, "Neighbourhoods Scrutiny Panel")],
    ),
    (
        "democracy.castlewick.gov.uk.sample.invalid",
        "London Borough of Castlewick",
        "london_borough",
        [(512, "Cabinet"), (520, "Licensing Committee")],
    ),
]
RELEVANT_REPORTS = [
    "Community Asset Transfer Policy",
    "Future of the Library Service",
    "Voluntary and Community Sector Grants",
    "Localism Act: Assets of Community Value",
    "Neighbourhood Budgets Pilot",
    "Co-production in Adult Social Care",
    "Community Right to Challenge: Procedure",
    "Youth Services: Community Delivery Model",
    "Big Society Fund: Allocation of Grants",
    "Review of Community Centres",
    "Volunteering Strategy",
    "Transfer of Parks to Friends Groups",
]
IRRELEVANT_REPORTS = [
    "Revenue Budget Monitoring: Quarter 2",
    "Highways Capital Programme",
    "Treasury Management Strategy",
    "Council Tax Base",
    "Waste Collection Contract: Extension",
]
SECTIONS = [
    "1. Purpose of the Report",
    "2. Recommendations",
    "3. Background",
    "4. Options Considered",
    "5. Financial Implications",
    "6. Legal Implications",
    "7. Equality Impact",
]


def councils() -> list[Council]:
    rng = rng_for("moderngov")
    out = []
    meeting_id, doc_id = 1000, 4000
    for host, name, kind, committees in COUNCILS:
        built = []
        for committee_id, committee_name in committees:
            meetings = []
            count = 3 if committee_name in ("Cabinet", "Executive") else 2
            # spread over the Parliament, one meeting in each stretch of it
            first, span = dt.date(2010, 6, 1), (dt.date(2015, 10, 31) - dt.date(2010, 6, 1)).days
            days = [
                day_between(
                    rng,
                    first + dt.timedelta(days=span * k // count),
                    first + dt.timedelta(days=span * (k + 1) // count - 1),
                )
                for k in range(count)
            ]
            if committee_name in ("Planning and Regulation Committee", "Licensing Committee"):
                days = [dt.date(2012, 4, 3)]
            if host.startswith("democracy.kelbridgeshire") and committee_id == 130:
                days.insert(0, dt.date(2010, 2, 9))  # before the election: outside the range
            for day in days:
                meeting_id += 1
                when = dt.datetime.combine(
                    day, dt.time(rng.choice([10, 14, 18, 19]), rng.choice([0, 30]))
                )
                items = []
                titles = rng.sample(RELEVANT_REPORTS, rng.randint(1, 2))
                if rng.random() < 0.5:
                    titles.append(rng.choice(IRRELEVANT_REPORTS))
                for number, title in enumerate(titles, start=5):
                    doc_id += 1
                    relevant = title in RELEVANT_REPORTS
                    report = council_report(
                        rng, name, committee_name, day, title, relevant, f"s{doc_id}"
                    )
                    items.append(
                        AgendaItem(
                            f"{number}.",
                            title,
                            f"To consider the report of the Director on {title.lower()}.",
                            [report],
                        )
                    )
                documents = [
                    council_minutes(rng, name, committee_name, when, items, f"g{meeting_id}")
                ]
                if meeting_id % 3 == 0:
                    documents.insert(
                        0,
                        council_frontsheet(
                            rng, name, committee_name, when, items, f"g{meeting_id}"
                        ),
                    )
                documents.insert(
                    0 if len(documents) == 1 else 1,
                    CouncilDocument(
                        f"g{meeting_id}",
                        "Agenda reports pack",
                        f"Public reports pack {when:%d%b%Y} {committee_name}.pdf",
                        "reports pack",
                        [p for item in items for d in item.documents for p in d.paragraphs],
                        f"Reports pack: {committee_name}",
                    ),
                )
                meetings.append(
                    Meeting(
                        meeting_id,
                        when,
                        rng.choice(
                            ["Council Chamber", "Committee Room 1", "The Guildhall", "Civic Centre"]
                        ),
                        items,
                        documents,
                    )
                )
            built.append(Committee(committee_id, committee_name, meetings))
        out.append(Council(host, name, kind, built))
    # edge cases: HTML reports, a scanned set of minutes, an encrypted and a corrupt report,
    # and one report listed again at a later meeting
    all_meetings = [
        m
        for c in out
        for com in c.committees
        if com.name not in ("Planning and Regulation Committee", "Licensing Committee")
        for m in com.meetings
    ]
    for meeting in all_meetings[1::4]:
        report = meeting.items[0].documents[0]
        report.form, report.file_name = "html", report.file_name.replace(".pdf", ".html")
    all_meetings[3].documents[-1].form = "scanned"
    all_meetings[6].items[0].documents[0].form = "encrypted"
    all_meetings[8].items[0].documents[0].form = "corrupt"
    # a report taken to a committee's next meeting as well (same council, same document)
    committee = next(
        com
        for c in out[2:]
        for com in c.committees
        if len(com.meetings) >= 2 and com.meetings[0].items
    )
    earlier, later = committee.meetings[0], committee.meetings[1]
    shared = earlier.items[0]
    later.items.append(
        AgendaItem("9.", shared.title, "Referred from the previous meeting.", [shared.documents[0]])
    )
    return out


def council_report(rng, council, committee, day, title, relevant, doc_id) -> CouncilDocument:
    pen = Pen(rng)
    mix = (
        stance_mix("local_government", day)
        if relevant
        else {"support": 0, "sceptical": 0, "neutral": 0.15, "irrelevant": 0.85}
    )
    paragraphs, headings = [], []
    officer = f"{person(rng)}, {rng.choice(['Director of Communities', 'Head of Neighbourhood Services', 'Assistant Director, Libraries and Culture', 'Strategic Director of Resources'])}"
    paragraphs.append(f"Report of: {officer}")
    paragraphs.append(f"Report to: {committee}, {day.day} {day:%B %Y}")
    for section in SECTIONS:
        headings.append((len(paragraphs), section))
        if section.startswith("2."):
            verb = rng.choice(["approves", "notes", "agrees", "endorses"])
            paragraphs.append(
                f"2.1 That the {committee} {verb} the proposals set out in this report on {title.lower()}."
            )
            continue
        count = {"1.": 2, "3.": 5, "4.": 4, "5.": 2, "6.": 1, "7.": 1}[section[:2]]
        register = "council"
        sentences = (
            pen.mixed(mix, count, register)
            if section[:2] in ("1.", "3.", "4.")
            else pen.draw(P.COUNCIL_NEUTRAL, count) or pen.mixed(mix, count, register)
        )
        number = section.split(".")[0]
        paragraphs += [f"{number}.{i + 1} {s}" for i, s in enumerate(sentences)]
    file_name = f"{title} report.pdf"
    return CouncilDocument(
        doc_id, f"{title} report", file_name, "report", paragraphs, title, headings=headings
    )


def council_minutes(rng, council, committee, when, items, doc_id) -> CouncilDocument:
    pen = Pen(rng)
    chair = f"Councillor {person(rng)}"
    members = ", ".join(
        f"{rng.choice(P.FORENAMES)[0]}. {rng.choice(P.SURNAMES)}" for _ in range(rng.randint(5, 8))
    )
    paragraphs = [
        f"Minutes of a meeting of the {committee} held on {when.day} {when:%B %Y} at {when:%H.%M}.",
        f"Present: {chair} (Chairman); Councillors {members}.",
        "1. " + pen.draw(P.COUNCIL_PROCEDURE[:1])[0],
        "2. There were no declarations of interest.",
        "3. " + pen.draw(P.COUNCIL_PROCEDURE[2:3])[0],
    ]
    mix = stance_mix("local_government", when.date())
    for item in items:
        discussion = (
            pen.mixed(mix, rng.randint(2, 4), "council")
            if item.title in RELEVANT_REPORTS
            else pen.draw(P.COUNCIL_PROCEDURE[3:12], 2)
        )
        paragraphs.append(f"{item.number} {item.title}. " + " ".join(discussion))
        paragraphs.append(
            f"RESOLVED: That the recommendations in the report on {item.title.lower()} be approved."
        )
    paragraphs.append(pen.fill("The meeting ended at {time}."))
    return CouncilDocument(
        doc_id,
        "Printed minutes",
        f"Printed minutes {when:%d%b%Y} {when:%H.%M} {committee}.pdf",
        "minutes",
        paragraphs,
        f"Minutes: {committee}",
    )


def council_frontsheet(rng, council, committee, when, items, doc_id) -> CouncilDocument:
    lines = [
        f"{council}",
        f"Agenda: {committee}",
        f"Date: {when:%A} {when.day} {when:%B %Y} at {when:%H.%M}",
        f"Contact: {person(rng)}, Democratic Services Officer",
        "1. Apologies for absence",
        "2. Declarations of interest",
        "3. Minutes of the previous meeting",
        "4. Public questions",
    ] + [f"{item.number} {item.title}" for item in items]
    return CouncilDocument(
        doc_id,
        "Agenda frontsheet",
        f"Agenda frontsheet {when:%d%b%Y} {committee}.pdf",
        "agenda",
        lines,
        f"Agenda: {committee}",
    )


# -- organisation sites ----------------------------------------------------------------------

CHARITY_OPEN = [
    "This week we published the results of our latest survey of members.",
    "Last month I spent a day with {group} in {place}.",
    "We have been asked a lot recently about what the new policies mean for small organisations.",
    "Our annual conference heard from more than {n} member organisations this year.",
    "It has been a busy few months for everyone in the sector.",
]
CHARITY_CLOSE = [
    "Let us know what you think in the comments below.",
    "We will keep making the case on behalf of our members.",
    "If your organisation has a story to tell, please get in touch.",
    "Our next members' briefing will look at these questions in more detail.",
]
THINK_OPEN = [
    "In a new paper published today, we look at what the last year has taught us.",
    "The debate about the Big Society has moved on, and so should the policy.",
    "Three questions keep coming up in our work with councils and community groups.",
    "Our roundtable last week brought together council leaders, charity chief executives and officials.",
]
THINK_CLOSE = [
    "The full paper is available from our publications page.",
    "We will be publishing further work on this in the spring.",
    "The question now is whether the government has the patience to see this through.",
]
POST_TITLES = [
    "What our members told us about {topic}",
    "{place}: a library saved, for now",
    "{topic_cap}, one year on",
    "Why we are worried about {topic}",
    "Three lessons from {place}",
    "{topic_cap}: what happens next?",
    "Notes from our conference on {topic}",
    "The state, the citizen and {topic}",
    "Can {topic} survive the cuts?",
    "Making {topic} work in practice",
    "Reflections on {topic} in {place}",
    "A letter to the new minister about {topic}",
]
IRRELEVANT_POSTS = [
    (
        "Annual general meeting: date for your diary",
        [
            "Our annual general meeting will be held in the main hall; all members are welcome.",
            "Papers will be circulated to members three weeks in advance.",
            "Please let the office know if you need help with travel costs.",
        ],
    ),
    (
        "Our new website",
        [
            "The new website has been designed to work better on mobile phones.",
            "You can now update your membership details online.",
            "Thank you to everyone who tested the early versions.",
        ],
    ),
    (
        "Office closure over the holidays",
        [
            "The office will close on the last working day before the holiday and reopen in the new year.",
            "Urgent enquiries can be sent by email and will be answered as soon as possible.",
        ],
    ),
]


def _post(
    rng, actor, day, lean, opener, closer, register="general", count=(7, 12)
) -> tuple[str, list[str]]:
    pen = Pen(rng)
    topic = rng.choice(TOPICS)
    title = pen.fill(
        rng.choice(POST_TITLES)
        .replace("{topic_cap}", topic[0].upper() + topic[1:])
        .replace("{topic}", topic)
    )
    sentences = (
        [pen.fill(rng.choice(opener))]
        + pen.mixed(stance_mix(actor, day, lean), rng.randint(*count), register)
        + [rng.choice(closer)]
    )
    return title, pen.paragraphs(sentences, 2, 4)


def _articles(
    rng, actor, lean, count, start, end, opener, closer, register="general"
) -> list[Article]:
    days = sorted(day_between(rng, start, end) for _ in range(count))
    articles = []
    seen_titles = set()
    for day in days:
        title, paragraphs = _post(rng, actor, day, lean, opener, closer, register)
        while title in seen_titles:
            title, paragraphs = _post(rng, actor, day, lean, opener, closer, register)
        seen_titles.add(title)
        published = dt.datetime.combine(
            day, dt.time(rng.randint(8, 17), rng.choice([0, 15, 30, 45]))
        )
        articles.append(
            Article(f"/{day:%Y/%m/%d}/{slug(title)}/", title, published, person(rng), paragraphs)
        )
    return articles


def sites() -> list[Site]:
    rng = rng_for("sites")
    out = []
    # 1. a supportive think tank on WordPress
    articles = _articles(
        rng,
        "think_tank",
        0.9,
        12,
        dt.date(2010, 5, 20),
        dt.date(2014, 12, 10),
        THINK_OPEN,
        THINK_CLOSE,
    )
    for i, article in enumerate(articles):
        article.post_id = 100 + 7 * i
        article.categories = [rng.choice(["Public services", "Communities", "Economy"])]
        article.tags = rng.sample(
            ["Big Society", "localism", "co-production", "mutuals", "volunteering"], 2
        )
        article.title = article.title.replace("'", "\u2019")
    articles[3].embed_author = False
    articles[5].title = "Localism & the \u2018Big Society\u2019: a reply to our critics"
    out.append(
        Site(
            "commongroundinstitute.org.uk.sample.invalid",
            "The Common Ground Institute",
            "wordpress",
            "wordpress",
            articles,
        )
    )
    # 2. a national charity on WordPress, with the republished press release
    articles = _articles(
        rng,
        "charity",
        0.0,
        13,
        dt.date(2010, 6, 1),
        dt.date(2015, 6, 30),
        CHARITY_OPEN,
        CHARITY_CLOSE,
    )
    articles.append(
        Article(
            "/2011/02/14/press-release-fund-for-community-groups/",
            "Press release: " + PRESS_RELEASE_TITLE,
            PRESS_RELEASE_DATE + dt.timedelta(hours=3),
            "Press office",
            ["The following announcement was published by the Cabinet Office this morning."]
            + PRESS_RELEASE,
        )
    )
    title, body = IRRELEVANT_POSTS[0]
    articles.append(
        Article(
            "/2012/08/20/agm-2012/", title, dt.datetime(2012, 8, 20, 10, 0), "Membership team", body
        )
    )
    articles.sort(key=lambda a: a.published)
    for i, article in enumerate(articles):
        article.post_id = 2000 + 3 * i
        article.categories = (
            ["News"] if article.author in ("Press office", "Membership team") else ["Blog"]
        )
        article.tags = rng.sample(
            ["funding", "Big Society", "volunteering", "localism", "members"], 2
        )
    out.append(
        Site(
            "www.voluntaryaction.org.uk.sample.invalid",
            "Voluntary Action Network",
            "wordpress",
            "wordpress",
            articles,
        )
    )
    # 3. a charity federation with an RSS feed carrying full content
    articles = _articles(
        rng,
        "charity",
        0.0,
        9,
        dt.date(2010, 9, 1),
        dt.date(2015, 9, 30),
        CHARITY_OPEN,
        CHARITY_CLOSE,
    )
    for title, body in IRRELEVANT_POSTS[1:]:
        day = day_between(rng, dt.date(2011, 1, 1), dt.date(2014, 12, 1))
        articles.append(
            Article(
                f"/{day:%Y/%m/%d}/{slug(title)}/",
                title,
                dt.datetime.combine(day, dt.time(9)),
                "Office team",
                body,
            )
        )
    old_title, old_body = _post(
        rng, "charity", dt.date(2009, 6, 1), 0.0, CHARITY_OPEN, CHARITY_CLOSE
    )
    articles.append(
        Article(
            f"/2009/06/02/{slug(old_title)}/",
            old_title,
            dt.datetime(2009, 6, 2, 9),
            person(rng),
            old_body,
        )
    )
    articles.sort(key=lambda a: a.published, reverse=True)
    out.append(
        Site(
            "neighbourhoodtrusts.org.uk.sample.invalid",
            "Neighbourhood Trusts Alliance",
            "rss",
            "charity",
            articles,
        )
    )
    # 4. a sceptical think tank with Atom feeds of summaries only
    articles = _articles(
        rng,
        "think_tank",
        -0.9,
        9,
        dt.date(2010, 7, 1),
        dt.date(2015, 3, 31),
        THINK_OPEN,
        THINK_CLOSE,
    )
    for i, article in enumerate(articles):
        article.summary = article.paragraphs[0][:160].rsplit(" ", 1)[0] + " [\u2026]"
        article.feeds = ["all"] + (["localism"] if i % 3 == 0 else [])
    out.append(
        Site(
            "www.localfutures.org.uk.sample.invalid",
            "Institute for Local Futures",
            "atom",
            "thinktank",
            articles,
        )
    )
    # 5. a university research centre with sitemaps
    articles = _articles(
        rng,
        "academic",
        0.0,
        8,
        dt.date(2010, 10, 1),
        dt.date(2015, 7, 31),
        ACADEMIC_OPEN,
        ACADEMIC_CLOSE,
        "academic",
    )
    for i, article in enumerate(articles):
        article.path = f"/papers/wp-{article.published:%Y}-{i + 1:02d}/"
        article.title = "Working paper: " + article.title
        article.lastmod = article.published.date() + dt.timedelta(days=rng.randint(0, 900))
    old = _articles(
        rng,
        "academic",
        0.0,
        2,
        dt.date(2008, 3, 1),
        dt.date(2009, 6, 30),
        ACADEMIC_OPEN,
        ACADEMIC_CLOSE,
        "academic",
    )
    for i, article in enumerate(old):
        article.path = f"/papers/wp-{article.published:%Y}-{i + 1:02d}/"
        article.lastmod = article.published.date()
        article.feeds = ["archive"]
    extra_pages = {
        "/about/": "<p>The Centre studies voluntary action, community organisations and public policy.</p>",
        "/people/": "<p>Our researchers and doctoral students.</p>",
        "/contact/": "<p>Write to us at the Centre.</p>",
    }
    out.append(
        Site(
            "ccsr.wexcombe.ac.uk.sample.invalid",
            "Centre for Civil Society Research, University of Wexcombe",
            "sitemap",
            "academic",
            articles + old,
            extra_pages,
        )
    )
    # 6. a community partnership's newsletter pages (odd layout: needs selectors)
    articles = _articles(
        rng,
        "other",
        0.0,
        5,
        dt.date(2010, 11, 1),
        dt.date(2014, 4, 30),
        COMMUNITY_OPEN,
        COMMUNITY_CLOSE,
    )
    for i, article in enumerate(articles):
        article.path = f"/newsletter/issue-{12 + 3 * i}.html"
        article.author = None
    articles.append(
        Article(
            "/newsletter/rhifyn-arbennig.html",
            "Rhifyn arbennig: gwirfoddolwyr y llyfrgell",
            dt.datetime(2012, 6, 1, 9),
            None,
            P.WELSH[:4] + P.WELSH[4:],
            language="cy",
        )
    )
    out.append(
        Site(
            "www.hollinsfordpartnership.org.uk.sample.invalid",
            "Hollinsford Community Partnership",
            "pages",
            "community",
            articles,
        )
    )
    return out


ACADEMIC_OPEN = [
    "This working paper reports early findings from a study of community involvement in local services.",
    "We examine how the policy agenda of the period was interpreted by those expected to deliver it.",
    "The paper draws on fieldwork in three contrasting local authority areas.",
]
ACADEMIC_CLOSE = [
    "Comments on this draft are welcome and should be sent to the authors.",
    "A revised version of this paper will be submitted for publication.",
]
COMMUNITY_OPEN = [
    "Welcome to the latest issue of our newsletter.",
    "It has been another busy season for the partnership.",
    "Thank you to everyone who came to the summer fair.",
]
COMMUNITY_CLOSE = [
    "Our next open meeting is in the church hall; everyone is welcome.",
    "Do get in touch if you would like to help.",
]


# -- the Wayback Machine ---------------------------------------------------------------------


def captures() -> list[Capture]:
    rng = rng_for("wayback")
    out: list[Capture] = []
    number10 = [
        ("Big Society speech", dt.date(2010, 7, 19)),
        ("PM's speech on the Big Society in Milton Keynes", dt.date(2010, 11, 8)),
        ("Big Society: the next steps", dt.date(2011, 2, 14)),
        ("PM's podcast on volunteering", dt.date(2011, 5, 23)),
        ("Have your say on opening up public services", dt.date(2011, 7, 11)),
        ("PM welcomes the first community organisers", dt.date(2011, 3, 2)),
        ("Transcript: questions from community groups", dt.date(2010, 9, 30)),
    ]
    for i, (title, day) in enumerate(number10):
        pen = Pen(rng, event="")
        pen.slots["event"] = pen.fill(rng.choice(EVENTS), capital=False)
        sentences = [pen.fill(rng.choice(SPEECH_OPEN))] + pen.mixed(
            stance_mix("central_government", day), rng.randint(9, 13), "speech"
        )
        article = Article(
            f"/news/{slug(title)}-{day:%Y}",
            title,
            dt.datetime.combine(day, dt.time(11)),
            None if i >= 5 else "Prime Minister's Office",
            pen.paragraphs(sentences, 2, 3),
        )
        if i >= 5:
            article.published = None  # the page shows no date: the capture time stands in
        stamp = (day + dt.timedelta(days=rng.randint(1, 40))).strftime(
            "%Y%m%d"
        ) + f"{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}"
        out.append(
            Capture(
                f"http://www.number10.gov.uk.sample.invalid{article.path}",
                stamp,
                article,
                "number10",
            )
        )
    cabinet = [
        ("Big Society: overview", dt.date(2010, 5, 18)),
        ("Community organisers", dt.date(2010, 7, 22)),
        ("Big Society: frequently asked questions", None),
        ("Building a stronger civil society", dt.date(2010, 10, 14)),
        ("Giving: green paper", dt.date(2010, 12, 10)),
    ]
    for title, day in cabinet:
        pen = Pen(rng)
        when = day or dt.date(2011, 4, 1)
        sentences = pen.mixed(stance_mix("central_government", when), rng.randint(8, 12), "speech")
        article = Article(
            f"/big-society/{slug(title)}",
            title,
            dt.datetime.combine(day, dt.time(9)) if day else None,
            None,
            pen.paragraphs(sentences, 2, 3),
        )
        stamp = (when + dt.timedelta(days=rng.randint(5, 60))).strftime("%Y%m%d") + "120000"
        out.append(
            Capture(
                f"http://www.cabinetoffice.gov.uk.sample.invalid{article.path}",
                stamp,
                article,
                "cabinetoffice",
            )
        )
    # a later capture of the overview, with a changed page (not fetched when captures = "first")
    overview = out[len(number10)]
    later = Article(
        overview.article.path,
        overview.article.title,
        overview.article.published,
        None,
        overview.article.paragraphs + ["This page is no longer updated."],
    )
    out.append(Capture(overview.original, "20120615120000", later, "cabinetoffice"))
    # captures the CDX filters leave out
    out.append(
        Capture(
            "http://www.cabinetoffice.gov.uk.sample.invalid/big-society/logo.jpg",
            "20100601120000",
            None,
            "cabinetoffice",
            "image/jpeg",
            200,
            b"\xff\xd8\xff\xe0synthetic",
        )
    )
    out.append(
        Capture(
            "http://www.cabinetoffice.gov.uk.sample.invalid/big-society/old-page",
            "20110101120000",
            None,
            "cabinetoffice",
            "text/html",
            404,
            b"<html><body>Not found</body></html>",
        )
    )
    return out


# -- media (a WARC from another crawler) and a folder of local files -------------------------

MEDIA_OPEN = [
    "Council leaders in {place} have warned that {service} could close within a year.",
    "Volunteers in {place} have stepped in to keep {service} open.",
    "Charities in the region say they are struggling to meet rising demand.",
    "Ministers have defended the Big Society against claims that it has lost its way.",
    "A row has broken out in {place} over plans to hand {service} to a community trust.",
]


def media_articles() -> list[tuple[str, str, Article]]:
    """(host, publication, article) for the foreign WARC: two outlets, 2010–2014."""
    rng = rng_for("media")
    out = []
    for host, outlet, count in (
        ("www.northerncourier.co.uk.sample.invalid", "The Northern Courier", 8),
        ("www.civilsocietyweekly.co.uk.sample.invalid", "Civil Society Weekly", 4),
    ):
        days = sorted(
            day_between(rng, dt.date(2010, 8, 1), dt.date(2014, 11, 30)) for _ in range(count)
        )
        for day in days:
            pen = Pen(rng)
            lead = pen.fill(rng.choice(MEDIA_OPEN))
            body = pen.mixed(stance_mix("media", day), rng.randint(6, 10), "speech")
            quote = f"\u201c{body.pop()}\u201d said {person(rng)}, {rng.choice(['a local councillor', 'who chairs the trust', 'a volunteer', 'chief executive of a local charity'])}."
            title = lead.split(",")[0].rstrip(".")
            if len(title) > 90:
                title = title[:90].rsplit(" ", 1)[0]
            article = Article(
                f"/news/{day:%Y/%m/%d}/{slug(title)}",
                title,
                dt.datetime.combine(day, dt.time(6, 30)),
                person(rng),
                pen.paragraphs([lead] + body[:3] + [quote] + body[3:], 1, 3),
            )
            out.append((host, outlet, article))
    press = Article(
        "/news/2011/02/15/fund-to-help-groups-take-over-buildings",
        "Government launches fund to help groups take over buildings",
        dt.datetime(2011, 2, 15, 7, 0),
        "Staff reporter",
        PRESS_RELEASE,
    )
    out.append(("www.civilsocietyweekly.co.uk.sample.invalid", "Civil Society Weekly", press))
    return out


def local_documents() -> list[tuple[str, dict[str, str], str, list[str]]]:
    """(file name, metadata row, title, paragraphs) of the folder of local files."""
    rng = rng_for("files")
    out = []
    for name, actor, publisher, day, title, register, lean in (
        (
            "ccsr-working-paper-2013-02.pdf",
            "academic",
            "Centre for Civil Society Research",
            dt.date(2013, 2, 11),
            "Who steps forward? Volunteering and deprivation in three towns",
            "academic",
            0.0,
        ),
        (
            "localfutures-neighbourhood-budgets-2012.pdf",
            "think_tank",
            "Institute for Local Futures",
            dt.date(2012, 9, 3),
            "Neighbourhood budgets: lessons from the pilots",
            "general",
            -0.6,
        ),
        (
            "hollinsford-forum-notes-2011-09.txt",
            "other",
            "Hollinsford Community Partnership",
            dt.date(2011, 9, 14),
            "Notes of the community forum on the future of the library",
            "council",
            0.0,
        ),
        (
            "ashworth-cvs-volunteering-survey-2014.html",
            "charity",
            "Ashworth Council for Voluntary Service",
            dt.date(2014, 5, 6),
            "State of volunteering in Ashworth 2014",
            "general",
            0.0,
        ),
        (
            "upper-tarrow-parish-plan-2012.html",
            "other",
            "Upper Tarrow Parish Council",
            dt.date(2012, 7, 1),
            "Upper Tarrow parish plan: what residents told us",
            "general",
            0.3,
        ),
    ):
        pen = Pen(rng)
        paragraphs = pen.paragraphs(
            pen.mixed(stance_mix(actor, day, lean), rng.randint(10, 16), register), 2, 4
        )
        row = {
            "title": title,
            "author": person(rng),
            "publisher": publisher,
            "published_at": day.isoformat()
            if not name.endswith(".txt")
            else day.strftime("%d/%m/%Y"),
            "actor_type": actor,
            "source_kind": "report",
            "synthetic": "true",
        }
        out.append((name, row, title, paragraphs))
    return out
