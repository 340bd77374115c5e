"""The directory's searches as people type them: the query mix of `make bench`
and `make load` (issue "Search that stays fast for every query", item 1).

Deterministic for a seed. The words come from the seeded data itself: the
headlines, skills' French names, cities and bios of the first mentors of the
bench population (``mentors.demo.mentor_seed``, the people every bench size
holds), so a "frequent" word is frequent in the bench databases and the mix is
the same at every size. Each distinct search belongs to one class (``CLASSES``);
popularity follows Zipf's law: the search of rank r is replayed
``max(1, round(top / r**s))`` times, so every distinct search is requested at
least once and the popular ones many times. Every search is one the directory's
form accepts (a test checks it).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from random import Random
from urllib.parse import parse_qs, urlencode

SEED = 7  # the bench population's seed (bench/run.py seeds with it)
VOCABULARY_SAMPLE = 2000  # mentors read for the words and their frequencies
DISTINCT = 3000
ZIPF_S = 1.0
ZIPF_TOP = 200  # times the most popular search is replayed

# The classes, each measured on its own in process (SQL p50 / p99), with the
# share of the distinct searches and the weight that brings them up the
# popularity ranks (people mostly repeat short, correctly spelled searches).
ONE_WORD = "one word"
RARE_WORD = "rare word"
SEVERAL_WORDS = "several words"
NO_ACCENTS = "accents left out"
MISSPELLED = "misspelled"
NO_MATCH = "matches nothing"
FILTERS = "filters only"
WORDS_FILTERS = "words and filters"
NEXT_PAGES = "pages 2-4"


@dataclass(frozen=True)
class QueryClass:
    name: str
    share: float
    popularity: float


CLASSES: tuple[QueryClass, ...] = (
    QueryClass(ONE_WORD, 0.05, 8.0),
    QueryClass(RARE_WORD, 0.10, 1.0),
    QueryClass(SEVERAL_WORDS, 0.20, 2.0),
    QueryClass(NO_ACCENTS, 0.10, 2.0),
    QueryClass(MISSPELLED, 0.20, 1.0),
    QueryClass(NO_MATCH, 0.05, 1.0),
    QueryClass(FILTERS, 0.10, 4.0),
    QueryClass(WORDS_FILTERS, 0.12, 3.0),
    QueryClass(NEXT_PAGES, 0.08, 1.5),
)
CLASS_NAMES = tuple(c.name for c in CLASSES)

# A word is frequent in at least this share of the profiles, rare in at most
# this one (and at least one profile).
FREQUENT_SHARE = 0.02
RARE_SHARE = 0.005

STOP_WORDS = frozenset(
    """
    les des une aux avec dans pour par sur sous chez mais donc car que qui quoi
    dont est sont suis sommes etes ont avons avez fait faire etre avoir plus
    moins tres bien aussi comme depuis entre vers leur leurs vos votre nos notre
    mes mon mas ses son cette ces cet tout tous toute toutes pas peu ans annee
    annees afin lors ainsi alors deux trois quelques meme autre autres vous
    nous elle ils elles lui eux moi toi the and for with your you can
    accompagne accompagner
    """.split()  # noqa: SIM905 - a list of words reads best as words
)

# Searches that match nothing: words of everyday life far from the seeded
# profiles (checked against the vocabulary), and letters typed at random.
UNRELATED_WORDS = (
    "boulangerie",
    "jardinage",
    "plomberie",
    "tricot",
    "astronomie",
    "violoncelle",
    "aquarelle",
    "apiculture",
    "escalade",
    "menuiserie",
    "poterie",
    "fromagerie",
    "viticulture",
    "randonnee",
    "equitation",
    "patisserie",
    "couture",
    "origami",
    "calligraphie",
    "ornithologie",
    "mycologie",
    "parapente",
    "maraichage",
    "horlogerie",
    "taxidermie",
    "sophrologie",
    "karate",
    "saxophone",
    "accordeon",
    "vannerie",
    "tapisserie",
    "brocante",
    "philatelie",
    "speleologie",
    "marionnettes",
    "cordonnerie",
    "ebenisterie",
    "ferronnerie",
    "zoologie",
    "volcanologie",
)
# Kept apart from the words above: consonant clusters no French word has.
NONSENSE_SYLLABLES = ("zq", "xk", "wv", "qzr", "kkj", "vbx", "jzq", "pqw")

MODES = ("video", "phone", "in_person")
# Languages as the seeded mentors speak them (everyone French, 30 % English,
# 10 % another), as a learner would filter. Not "zh": the seed gives it,
# the directory's language list does not offer it (Django knows zh-hans).
LANGUAGE_WEIGHTS = {
    "fr": 30.0,
    "en": 30.0,
    "ar": 8.0,
    "es": 8.0,
    "pt": 5.0,
    "de": 4.0,
    "it": 4.0,
    "tr": 2.0,
    "ro": 1.0,
}
# Field order of the directory's form: the order the browser sends them in.
FIELDS = (
    "q",
    "skill",
    "min_level",
    "language",
    "region",
    "mode",
    "available_within_days",
    "sort",
    "page",
)


def plain(text: str) -> str:
    """Lower case without accents, as the search compares words."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFKD", text.lower())
        if not unicodedata.combining(ch)
    )


ELIDED = ("l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu")


def words_of(text: str) -> list[str]:
    """The content words of a text as a person would type them (accents kept),
    in order: letters only, at least three, no stop word; "d'expérience" is
    "expérience"."""
    out: list[str] = []
    for token in re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text.lower()):
        head, _, rest = token.replace("’", "'").partition("'")
        if rest and head in ELIDED:
            token = rest
        if len(token) >= 3 and "'" not in token and plain(token) not in STOP_WORDS:
            out.append(token)
    return out


@dataclass(frozen=True)
class Vocabulary:
    """What the mix is drawn from, all read from seeded mentors' profiles."""

    # Each profile's content words, in order (headline, skills, city first).
    profiles: tuple[tuple[str, ...], ...]
    # Share of the profiles in which each word (as typed, accents kept) occurs.
    share: dict[str, float]
    skills: tuple[str, ...]  # skill codes mentors offer
    regions: dict[str, float]  # region code: weight

    @property
    def frequent(self) -> list[str]:
        return sorted(w for w, s in self.share.items() if s >= FREQUENT_SHARE)

    @property
    def rare(self) -> list[str]:
        # In a small sample the rarest words are in one profile, above the share.
        limit = max(RARE_SHARE, min(self.share.values()))
        return sorted(w for w, s in self.share.items() if s <= limit)

    @property
    def accented(self) -> list[str]:
        return sorted(w for w in self.share if plain(w) != w)

    def known(self, word: str) -> bool:
        return plain(word) in self._plain_words

    @property
    def _plain_words(self) -> frozenset[str]:
        return _plain_set(tuple(self.share))


@cache
def _plain_set(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(plain(w) for w in words)


@cache
def vocabulary(*, seed: int = SEED, sample: int = VOCABULARY_SAMPLE) -> Vocabulary:
    """The words of the first ``sample`` mentors of population ``seed``, made
    by the same code as the bench databases' mentors (only the public ones:
    approved profiles)."""
    from faker import Faker

    from mentors.demo import REGION_WEIGHTS, mentor_seed
    from mentors.models import MentorProfile
    from mentors.taxonomy import SKILLS

    names = {spec.code: spec.name_fr for spec in SKILLS}
    fake = Faker("fr_FR")
    profiles: list[tuple[str, ...]] = []
    counts: Counter[str] = Counter()
    offered: set[str] = set()
    for index in range(1, sample + 1):
        mentor = mentor_seed(fake, seed=seed, index=index)
        if mentor.status != MentorProfile.Status.APPROVED:
            continue
        codes = [code for code, _level, _years in mentor.skills]
        offered.update(codes)
        # What people look for: the headline, the skills, the city.
        searched = " ".join(
            [mentor.headline, *(names[code] for code in codes), mentor.person.city]
        )
        profiles.append(tuple(words_of(searched)))
        # Where the search finds them: the bio too.
        counts.update(set(words_of(searched + " " + mentor.bio)))
    total = len(profiles)
    searched_words = {word for words in profiles for word in words}
    return Vocabulary(
        profiles=tuple(profiles),
        share={word: counts[word] / total for word in sorted(searched_words)},
        skills=tuple(sorted(offered)),
        regions={str(code): float(w) for code, w in REGION_WEIGHTS.items()},
    )


# --- misspellings -------------------------------------------------------------


def misspell(rng: Random, word: str) -> str:
    """One typing slip: two neighbouring letters swapped, a letter dropped or a
    letter doubled (never the first letter: people rarely miss that one)."""
    kind = rng.choice(("swap", "drop", "double"))
    i = rng.randrange(1, len(word) - 1)
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


# --- the classes --------------------------------------------------------------


def _weighted(rng: Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _by_share(rng: Random, vocab: Vocabulary, words: Sequence[str]) -> str:
    """A word drawn in proportion to how often profiles use it."""
    return rng.choices(words, weights=[vocab.share[w] for w in words])[0]


def _from_profile(rng: Random, vocab: Vocabulary, count: int) -> list[str]:
    """``count`` distinct words of one profile, in the profile's order (what a
    person looking for that kind of mentor would type)."""
    while True:
        words = list(dict.fromkeys(rng.choice(vocab.profiles)))
        if len(words) >= count:
            # Mostly from the start (headline, skills, city), as people search.
            head = words[: max(count, 12)]
            picked = sorted(rng.sample(range(len(head)), count))
            return [head[i] for i in picked]


def _filters(rng: Random, vocab: Vocabulary, count: int) -> dict[str, str]:
    makers: dict[str, Callable[[], str]] = {
        "region": lambda: _weighted(rng, vocab.regions),
        "mode": lambda: rng.choice(MODES),
        "language": lambda: _weighted(rng, LANGUAGE_WEIGHTS),
        "available_within_days": lambda: rng.choice(("7", "14")),
        "sort": lambda: rng.choice(("soonest", "newest")),
        "skill": lambda: rng.choice(vocab.skills),
        "min_level": lambda: str(rng.randint(3, 7)),
    }
    weights = {
        "region": 0.5,
        "mode": 0.4,
        "language": 0.3,
        "available_within_days": 0.25,
        "sort": 0.2,
        "skill": 0.35,
        "min_level": 0.15,
    }
    chosen: set[str] = set()
    while len(chosen) < count:
        chosen.add(_weighted(rng, weights))
    return {name: makers[name]() for name in chosen}


def _one_word(rng: Random, vocab: Vocabulary) -> dict[str, str]:
    return {"q": _by_share(rng, vocab, vocab.frequent)}


def _rare_word(rng: Random, vocab: Vocabulary) -> dict[str, str]:
    return {"q": rng.choice(vocab.rare)}


def _several_words(rng: Random, vocab: Vocabulary) -> dict[str, str]:
    count = rng.choices((2, 3, 4), (55, 30, 15))[0]
    if rng.random() < 0.7:
        words = _from_profile(rng, vocab, count)
    else:
        # Words that are each frequent, not necessarily in the same profile.
        words = []
        while len(words) < count:
            word = _by_share(rng, vocab, vocab.frequent)
            if word not in words:
                words.append(word)
    return {"q": " ".join(words)}


def _no_accents(rng: Random, vocab: Vocabulary) -> dict[str, str]:
    if rng.random() < 0.6:
        return {"q": plain(_by_share(rng, vocab, vocab.accented))}
    words = _from_profile(rng, vocab, rng.choice((2, 3)))
    if all(plain(w) == w for w in words):
        words[-1] = _by_share(rng, vocab, vocab.accented)
    return {"q": " ".join(plain(w) for w in words)}


def _misspelled(rng: Random, vocab: Vocabulary) -> dict[str, str]:
    several = rng.random() < 0.4
    words = _from_profile(rng, vocab, rng.choice((2, 3))) if several else []
    if not words:
        words = [_by_share(rng, vocab, [w for w in vocab.share if len(w) >= 5])]
    long = [i for i, w in enumerate(words) if len(w) >= 5]
    if not long:
        words.append(_by_share(rng, vocab, [w for w in vocab.share if len(w) >= 5]))
        long = [len(words) - 1]
    i = rng.choice(long)
    for _ in range(20):
        slip = misspell(rng, words[i])
        if not vocab.known(slip):
            break
    else:
        slip = words[i] + words[i][-1]
    words[i] = slip
    if rng.random() < 0.4:  # accents left out too, often together
        words = [plain(w) for w in words]
    return {"q": " ".join(words)}


def _no_match(rng: Random, vocab: Vocabulary) -> dict[str, str]:
    unrelated = [w for w in UNRELATED_WORDS if not vocab.known(w)]
    roll = rng.random()
    if roll < 0.5:
        words = [rng.choice(unrelated)]
    elif roll < 0.8:
        words = rng.sample(unrelated, 2)
    else:
        syllables = rng.sample(NONSENSE_SYLLABLES, rng.choice((2, 3)))
        words = ["".join(syllables)]
    return {"q": " ".join(words)}


def _filters_only(rng: Random, vocab: Vocabulary) -> dict[str, str]:
    return _filters(rng, vocab, rng.choices((1, 2, 3), (45, 40, 15))[0])


def _words_and_filters(rng: Random, vocab: Vocabulary) -> dict[str, str]:
    words = _one_word(rng, vocab) if rng.random() < 0.6 else _several_words(rng, vocab)
    return {**words, **_filters(rng, vocab, rng.choice((1, 1, 2)))}


def _next_pages(rng: Random, vocab: Vocabulary) -> dict[str, str]:
    roll = rng.random()
    if roll < 0.5:
        base = _one_word(rng, vocab)
    elif roll < 0.8:
        base = _filters(rng, vocab, 1)
    else:
        base = {**_one_word(rng, vocab), **_filters(rng, vocab, 1)}
    page = rng.choices(("2", "3", "4"), (60, 25, 15))[0]
    return {**base, "page": page}


MAKERS: dict[str, Callable[[Random, Vocabulary], dict[str, str]]] = {
    ONE_WORD: _one_word,
    RARE_WORD: _rare_word,
    SEVERAL_WORDS: _several_words,
    NO_ACCENTS: _no_accents,
    MISSPELLED: _misspelled,
    NO_MATCH: _no_match,
    FILTERS: _filters_only,
    WORDS_FILTERS: _words_and_filters,
    NEXT_PAGES: _next_pages,
}


def query_string(params: dict[str, str]) -> str:
    """The GET parameters in the form's order, nothing empty."""
    return urlencode([(f, params[f]) for f in FIELDS if params.get(f)])


# --- the mix ------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    query: str  # GET parameters, e.g. "q=d%C3%A9veloppeur+web&region=84"
    klass: str


@dataclass(frozen=True)
class Mix:
    """Distinct searches by popularity (most popular first), how many times
    each is replayed, and the replay order (indexes into ``searches``)."""

    searches: tuple[Search, ...]
    counts: tuple[int, ...]
    replay: tuple[int, ...]
    seed: int
    zipf_s: float
    zipf_top: int

    def replayed(self) -> list[Search]:
        return [self.searches[i] for i in self.replay]


def zipf_counts(n: int, *, s: float = ZIPF_S, top: int = ZIPF_TOP) -> list[int]:
    """How many times the items of rank 1..n are replayed: top / rank**s,
    rounded, at least once."""
    return [max(1, round(top / rank**s)) for rank in range(1, n + 1)]


def popularity_order(rng: Random, weights: Sequence[float]) -> list[int]:
    """Indexes in a random order where a heavier item tends to come first:
    by log weight plus normal noise (sigma 0.7: a twice heavier item comes
    first about three times out of four)."""
    keys = [math.log(w) + rng.gauss(0.0, 0.7) for w in weights]
    return sorted(range(len(weights)), key=lambda i: -keys[i])


def directory_mix(
    *,
    seed: int = SEED,
    distinct: int = DISTINCT,
    zipf_s: float = ZIPF_S,
    zipf_top: int = ZIPF_TOP,
    vocab: Vocabulary | None = None,
) -> Mix:
    """``distinct`` different directory searches, each class its share, in
    popularity order, and their Zipf replay."""
    vocab = vocab or vocabulary()
    rng = Random(f"directory-mix:{seed}")  # noqa: S311 - reproducible, not secret
    seen: set[str] = set()
    searches: list[Search] = []

    def make(klass: str, quota: int) -> int:
        made = attempts = 0
        while made < quota and attempts < quota * 50:
            attempts += 1
            query = query_string(MAKERS[klass](rng, vocab))
            if query not in seen:
                seen.add(query)
                searches.append(Search(query, klass))
                made += 1
        return made

    for klass in CLASSES:
        make(klass.name, round(distinct * klass.share))
    # A class with fewer possible searches than its share (rare words) leaves
    # the rest to the classes that have plenty.
    for klass_name in (SEVERAL_WORDS, MISSPELLED, WORDS_FILTERS):
        missing = distinct - len(searches)
        if missing > 0:
            make(klass_name, missing)
    order = popularity_order(rng, [_popularity(s, vocab) for s in searches])
    ranked = tuple(searches[i] for i in order)
    counts = zipf_counts(len(ranked), s=zipf_s, top=zipf_top)
    replay = [i for i, n in enumerate(counts) for _ in range(n)]
    rng.shuffle(replay)
    return Mix(ranked, tuple(counts), tuple(replay), seed, zipf_s, zipf_top)


_CLASS_POPULARITY = {c.name: c.popularity for c in CLASSES}


def _popularity(search: Search, vocab: Vocabulary) -> float:
    """The class's weight, times how common its first word is ("python" is
    searched more often than "conformité"), over the square of the number of
    words (short searches are the common ones)."""
    words = parse_qs(search.query).get("q", [""])[0].split()
    share = vocab.share.get(words[0], 0.0) if words else 0.0
    weight = _CLASS_POPULARITY[search.klass] * (0.5 + share / FREQUENT_SHARE)
    return weight / max(1, len(words)) ** 2


def mentor_mix(
    mentor_ids: Sequence[int],
    *,
    seed: int = SEED,
    distinct: int = 2500,
    zipf_s: float = ZIPF_S,
    zipf_top: int = 20,
) -> list[int]:
    """The mentor pages to request: ``distinct`` public mentors drawn from
    ``mentor_ids``, replayed with a milder Zipf popularity (a profile is found
    through many searches), shuffled."""
    rng = Random(f"mentor-mix:{seed}")  # noqa: S311 - reproducible, not secret
    chosen = rng.sample(sorted(mentor_ids), min(distinct, len(mentor_ids)))
    counts = zipf_counts(len(chosen), s=zipf_s, top=zipf_top)
    replay = [pk for pk, n in zip(chosen, counts, strict=True) for _ in range(n)]
    rng.shuffle(replay)
    return replay
