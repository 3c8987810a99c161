"""The stance codebook as phrase- and negation-aware rules.

Two uses. On their own they are a transparent classifier anyone can audit against the
codebook (`RuleModel`); as features (`rule_features`) they give the learned models what a
few hundred examples cannot teach: which uses of "community", "voluntary" or "society" are
about the target at all, and the cue phrases of each side. Every pattern below comes from
the codebook's definitions and hard-case rules (docs/stance-codebook.md), not from the data
the models are evaluated on.
"""

import re
from dataclasses import dataclass

import numpy as np

from discourse.vocabulary import STANCES


def _compile(patterns: list[str]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")", re.IGNORECASE)


# The target under its many names (codebook, "The target").
TARGET = _compile(
    [
        r"big society",
        r"co-?produc\w*",
        r"localis[mt]\w*",
        r"voluntary (?:and community |or community )?(?:sector|organi[sz]ations?|groups?|bodies|body|effort|action|activity|work|services?)",
        r"volunteer\w*",
        r"third sector",
        r"civil society",
        r"social (?:action|enterprises?|entrepreneur\w*|impact bonds?|productivity|investment|prescribing)",
        r"charit(?:y|ies)(?! shop| concert)",
        r"charitable (?:organi[sz]ations?|bodies|trusts?|groups?|sector|associations?|work)",
        r"not-for-profit",
        r"mutuals?\b",
        r"mutual (?:aid|help|federations?)",
        r"co-?operatives?",
        r"community (?:groups?|organi[sz]ations?|ownership|owned|-owned|-led|led|managed|-managed|"
        r"right|rights|assets?|land trusts?|energy|organisers?|action|first|shops?|interest compan\w*|"
        r"buildings?|centres?|run|-run|sector|budgets?|chest|service|libraries|empowerment)",
        r"communities (?:coming together|taking|to take|to run|run|can|should|will)",
        r"right to (?:bid|challenge|manage|buy|build)",
        r"assets? of community value",
        r"neighbourhood (?:groups?|plans?|planning|forums?|associations?)",
        r"personal (?:health )?budgets?",
        r"participatory budget\w*",
        r"self-help",
        r"time ?banks?",
        r"time credits?",
        r"housing associations?",
        r"tenant management",
        r"friendly societ(?:y|ies)",
        r"credit unions?",
        r"(?:residents|tenants|parents|citizens|users|local people|neighbours|people)\b[^.;:]{0,40}\b"
        r"(?:run|running|take over|taking over|take on|manage|co-design|design|shape|control|own)",
        r"(?:state|government) (?:stepping|steps|step) (?:back|out|aside)",
        r"step forward",
        r"bigger society|smaller state|big government",
        r"power (?:back )?to (?:the )?(?:people|communities|neighbourhoods|citizens)",
        r"commission\w* (?:from|with) (?:the )?(?:voluntary|charit|local charit)",
        r"faith groups?",
        r"good neighbours?",
        r"befriend\w*",
        r"food banks?",
        r"national citizen service",
        r"user-led",
    ]
)

# Uses of the trigger words that the codebook calls irrelevant.
OTHER_SENSE = _compile(
    [
        r"voluntary (?:redundanc\w*|code|agreements?|approach|manslaughter|euthanasia|returns?|"
        r"resettlement|repatriation|union|contract|contributions?|incomes? policy|policy on pay|"
        r"register|scheme|insurance|basis|departure|transfer|labelling)",
        r"(?:european|international|business|scientific|intelligence|farming|economic|"
        r"muslim|jewish|sikh|hindu|somali|polish|black|asian|ethnic|migrant|immigrant|diaspora|"
        r"gay|lgbt\w*|travell?er|roma|armed forces|coastal|mining|academic) communit(?:y|ies)",
        r"community (?:sentences?|orders?|punishment|transmission|cohesion|pharmac\w*|health services?|"
        r"hospitals?|payback)",
        r"building societ(?:y|ies)",
        r"(?:royal|law|fabian|humanist|national secular) society",
        r"charitable status",
        r"(?:army|navy|reserv\w*|territorial|ira|military|clinical trials?) volunteers?",
        r"volunteer(?:ed)? (?:for service|no |nothing)",
        r"public-private partnership",
        r"private finance initiative",
        r"civil partnerships?",
    ]
)

SUPPORT_CUES = _compile(
    [
        r"(?:we|i) (?:will|shall|would|want to|propose to|intend to|are determined to) "
        r"(?:give|empower|support|encourage|promote|extend|help|enable|back|expand|strengthen|create|"
        r"establish|introduce|pioneer|open|hand|devolve|transfer|make it easier|involve|build|train|fund|"
        r"let|work)",
        r"empower\w*",
        r"(?:greater|bigger|stronger|real|more) (?:role|say|control|voice|power|involvement|part)",
        r"in partnership",
        r"partners? in",
        r"working together|work together|hand in hand|alongside",
        r"vital|crucial|essential (?:role|part|contribution)|invaluable|lifeblood|tribute",
        r"success\w*|transform\w*|flourish\w*|thriv\w*|unlock\w*|unleash\w*|rise to",
        r"welcome[sd]?|encourag\w*|celebrat\w*",
        r"trust (?:in )?(?:the )?(?:people|communities|residents|local)",
        r"better (?:outcomes|results|than)|know (?:far )?better",
        r"we have (?:given|transferred|created|launched|opened|trained|established)",
        r"at (?:its|their) highest",
        r"best (?:way|hope|answers?)",
        r"help (?:themselves|each other|one another)",
        r"should be (?:run|involved|encouraged|supported)",
        r"more (?:services|power|control) (?:for|to|should)",
    ]
)

SCEPTICAL_CUES = _compile(
    [
        r"cuts?\b|cutting|slash\w*|austerity|shrink\w*|withdraw\w*|retreat\w*|walk(?:ed|s)? away",
        r"cover(?:ing)? for|excuse|fig[- ]leaf|dress\w* up|euphemism|mask\w*|disguis\w*|smokescreen",
        r"slogan|vague|fluffy|waffle|buzzword|rhetoric|gimmick|sideshow|marginal|relaunch\w*",
        r"no substitute|cannot (?:replace|substitute|be expected|fill|pick up)|can't replace|"
        r"no amount of|stand in for",
        r"pick up the pieces|fill the gaps?|take up the slack|step into the breach|fall through",
        r"back door|by stealth|privati[sz]\w*|outsourc\w*|offload\w*|dump\w*|on the cheap|lowest bid",
        r"hollow\w*|squeez\w*|burn(?:s|ed)? out|brink|scraps|bid candy",
        r"abdicat\w*|abandon\w*|passing the (?:buck|blame)|blame",
        r"naive|gamble|sticking plaster|patchy|vagaries|goodwill",
        r"rel(?:y|ies|iance) (?:too|far too|so) (?:much|heavily)|over-reliance|depend on (?:goodwill|charity)",
        r"fail\w*|collaps\w*|closed|clos(?:e|ing) (?:their|its) doors|administration|sunk|"
        r"no evidence|dropped out|slow to",
        r"doubt\w*|scepti\w*|warn\w*|critic\w*|concern\w*|fear\w*|risk\w*",
        r"vulnerable|the poorest|the frail|at the mercy",
        r"not (?:empowerment|a big society|a sign)",
        r"on their own",
        r"left to",
    ]
)

NEUTRAL_CUES = _compile(
    [
        r"introduc(?:ed|es)|set(?:s)? out|publish\w*|consult\w*|report\w*|evaluat\w*|"
        r"administ\w*|appl(?:y|ied|ications?)|register\w*|nominat\w*|due to|will consider|meeting",
        r"means|defin\w*|refers to|the term|is a (?:form|type|programme|scheme|body|summer)",
        r"per cent|percent|%|£\s?\d|\d[\d,.]*\s?(?:million|billion|bn|m)\b|around|about|some \d|"
        r"roughly|estimated|number of|rose|fell|increased|decreased",
        r"under the (?:scheme|proposals?|act)|the act|the bill|white paper|green paper",
    ]
)

NEGATION = re.compile(
    r"\b(?:not|no|never|nor|neither|without|cannot|can't|won't|isn't|aren't|doesn't|don't|"
    r"didn't|hardly|little more than|nothing)\b",
    re.IGNORECASE,
)
FIRST_PERSON_PROMISE = re.compile(
    r"\b(?:we|i|labour|the conservatives|liberal democrats|the government|plaid|the snp|greens)"
    r" (?:will|shall|would|want to|propose to|intend to|are committed to|pledge to)\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d")

FEATURE_NAMES = (
    "target",
    "target_in_context",
    "other_sense",
    "target_beyond_other_sense",
    "support_cue",
    "sceptical_cue",
    "neutral_cue",
    "negated_support",
    "negated_sceptical",
    "promise",
    "question",
    "number",
    "short",
)


@dataclass(frozen=True)
class RuleHits:
    """What the codebook rules found in one sentence (counts, before squashing)."""

    target: int
    target_in_context: int
    other_sense: int
    support: int
    sceptical: int
    neutral: int
    negated_support: int
    negated_sceptical: int
    promise: bool
    question: bool
    number: bool
    words: int


def _negated(text: str, match: re.Match, window: int = 30) -> bool:
    """A negator in the few words before a cue ("not empowerment", "cannot be expected")."""
    before = text[max(0, match.start() - window) : match.start()]
    return bool(NEGATION.search(before))


def hits(text: str, context_before: str = "", context_after: str = "") -> RuleHits:
    target = len(TARGET.findall(text))
    other = len(OTHER_SENSE.findall(text))
    support = sceptical = negated_support = negated_sceptical = 0
    for match in SUPPORT_CUES.finditer(text):
        if _negated(text, match):
            negated_support += 1
        else:
            support += 1
    for match in SCEPTICAL_CUES.finditer(text):
        if _negated(text, match):
            negated_sceptical += 1
        else:
            sceptical += 1
    context = f"{context_before} {context_after}"
    return RuleHits(
        target=target,
        target_in_context=len(TARGET.findall(context)),
        other_sense=other,
        support=support,
        sceptical=sceptical,
        neutral=len(NEUTRAL_CUES.findall(text)),
        negated_support=negated_support,
        negated_sceptical=negated_sceptical,
        promise=bool(FIRST_PERSON_PROMISE.search(text)),
        question=text.rstrip().endswith("?"),
        number=bool(NUMBER.search(text)),
        words=len(text.split()),
    )


def rule_features(
    texts: list[str], contexts_before: list[str], contexts_after: list[str]
) -> np.ndarray:
    """n × len(FEATURE_NAMES) matrix of squashed rule counts (log1p keeps scales comparable)."""
    rows = []
    for text, before, after in zip(texts, contexts_before, contexts_after, strict=True):
        h = hits(text, before, after)
        rows.append(
            (
                np.log1p(h.target),
                np.log1p(h.target_in_context),
                np.log1p(h.other_sense),
                float(h.target > h.other_sense),
                np.log1p(h.support),
                np.log1p(h.sceptical),
                np.log1p(h.neutral),
                np.log1p(h.negated_support),
                np.log1p(h.negated_sceptical),
                float(h.promise),
                float(h.question),
                float(h.number),
                float(h.words < 8),
            )
        )
    return np.asarray(rows, dtype=float).reshape(len(rows), len(FEATURE_NAMES))


class RuleModel:
    """The codebook rules as a classifier: no training, every decision traceable to a pattern.

    Relevance: a target term not explained away by an irrelevant sense. Stance: sceptical
    cues (and negated support: "not empowerment") against support cues (and promises, which
    the codebook counts as support); questions and ties go to neutral, as the codebook says.
    Probabilities are a softmax of the rule scores, so they are ordered but not calibrated.
    """

    name = "rules"

    def fit(self, texts, contexts_before, contexts_after, labels) -> "RuleModel":
        return self

    def predict_proba(self, texts, contexts_before, contexts_after) -> np.ndarray:
        scores = []
        for text, before, after in zip(texts, contexts_before, contexts_after, strict=True):
            h = hits(text, before, after)
            relevant = h.target > h.other_sense
            support = h.support + h.negated_sceptical + 1.5 * h.promise
            sceptical = h.sceptical + 1.5 * h.negated_support
            if not relevant:
                row = (0.0, 0.0, 0.5, 2.5)
            elif h.question and support < 2 and sceptical < 2:
                row = (0.5, 0.5, 2.0, 0.0)
            else:
                lean = support - sceptical
                row = (
                    1.0 + 0.8 * lean,
                    1.0 - 0.8 * lean,
                    1.2 + 0.4 * h.neutral - 0.3 * abs(lean),
                    0.0,
                )
            scores.append(row)
        logits = np.asarray(scores, dtype=float).reshape(len(scores), len(STANCES))
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        return probabilities / probabilities.sum(axis=1, keepdims=True)
