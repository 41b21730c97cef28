"""Match an organization's function names to the playbook (DESIGN §3).

A name is normalized (case, accents, punctuation, "&"/"and"/"+"/"/" alike,
plurals, spacing) and looked up among the playbook's normalized names and aliases,
in layers that each give their reason (`explain`):

1. exactly, as written, then without a title or container around it ("Head of", "Team" …);
2. hard negatives (IT and internal systems, facilities and workplace, executive assistants,
   office management) stop here: no suggestion, only hints — "IT Helpdesk" never becomes "Helpdesk";
3. without noise words anywhere ("group", "program", "office", regions): "Sales Office EMEA";
4. a name joining two playbook functions ("Sales & Marketing") is left to a leader;
5. phrase-level: the longest playbook name, alias or sub-discipline (playbook.SUB_DISCIPLINES)
   inside the name, the last one at equal length (English puts the head noun last:
   "Financial Services Sales" is Sales).

`match(name)` (the entry or None) and `hints(name)` keep their signatures; a name that
matches nothing gets `None`, with `hints()` offering the closest playbook names (RapidFuzz, a hard
negative's own hints first) for a leader to map by hand.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from .playbook.catalog import BY_NAME, PLAYBOOK
from .playbook.model import ALL_MOTIONS, PlaybookEntry
from .playbook.phrases import HARD_NEGATIVES, NOISE_WORDS, SUB_DISCIPLINES, WHOLE_NAME_ONLY, HardNegative

# Connectors that mean the same thing in a team name: "Sales & Account Management".
_CONNECTORS = re.compile(r"[&+/]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
# Words around a team name that say nothing about what it does, as token sequences
# (already singular). Longest first so "vp of" wins over "vp".
_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("head", "of"),
    ("vp", "of"),
    ("svp", "of"),
    ("evp", "of"),
    ("director", "of"),
    ("senior", "director", "of"),
    ("office", "of", "the"),
    ("the",),
    ("vp",),
    ("svp",),
    ("evp",),
)
_SUFFIXES: tuple[tuple[str, ...], ...] = (
    ("team",),
    ("dept",),
    ("department",),
    ("group",),
    ("org",),
    ("organization",),
    ("organisation",),
    ("division",),
    ("function",),
    ("unit",),
)


def _singular(token: str) -> str:
    """A cheap English singular, applied alike to names and aliases so only consistency matters."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith(("sses", "xes", "ches", "shes")):
        return token[:-2]
    if len(token) > 2 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(name: str) -> tuple[str, ...]:
    """Lower-case, accent-free, singular words of a name; every connector becomes "and".

    "and" stays a word: "Product & Engineering" (two teams) must not become "Product Engineering" (one).
    """
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().casefold()
    # "R&D", "UI/UX", "Pre-sales": connectors and punctuation split words, apostrophes join them.
    text = _CONNECTORS.sub(" and ", text).replace("'", "")
    words = _NOT_WORD.sub(" ", text).split()
    while words and words[0] == "and":
        words.pop(0)
    while words and words[-1] == "and":
        words.pop()  # a dangling connector ("Sales &", "&&&") says nothing
    return tuple(_singular(word) for word in words)


def _strip(words: tuple[str, ...]) -> tuple[str, ...]:
    """Remove title prefixes and container suffixes, repeatedly ("VP of the Sales Team")."""
    changed = True
    while changed and words:
        changed = False
        for prefix in _PREFIXES:
            if len(words) > len(prefix) and words[: len(prefix)] == prefix:
                words, changed = words[len(prefix) :], True
                break
        for suffix in _SUFFIXES:
            if len(words) > len(suffix) and words[-len(suffix) :] == suffix:
                words, changed = words[: -len(suffix)], True
                break
    return words


def _key(words: tuple[str, ...]) -> str:
    # Joined without spaces so "Pre-sales", "Presales" and "Pre sales" meet.
    return "".join(words)


def normalize(name: str) -> str:
    """The lookup key of a name as written (no prefix/suffix stripping)."""
    return _key(tokens(name))


def candidate_keys(name: str) -> list[str]:
    """The keys tried in order: the name as written, then stripped of titles and containers."""
    words = tokens(name)
    keys = [_key(words)]
    stripped = _key(_strip(words))
    if stripped not in keys:
        keys.append(stripped)
    return [key for key in keys if key]


class AliasCollision(ValueError):
    """Two playbook entries claim the same normalized alias: the table is wrong."""


@lru_cache(maxsize=1)
def alias_index() -> dict[str, PlaybookEntry]:
    index: dict[str, PlaybookEntry] = {}
    for entry in PLAYBOOK:
        for alias in entry.all_names:
            key = normalize(alias)
            if not key:
                raise AliasCollision(f"Alias {alias!r} of {entry.name} normalizes to nothing.")
            owner = index.setdefault(key, entry)
            if owner is not entry:
                raise AliasCollision(f"Alias {alias!r} of {entry.name} is already {owner.name}'s ({key!r}).")
    return index


@dataclass(frozen=True)
class Match:
    """Why a name maps to a playbook function — or why it does not (entry None)."""

    entry: PlaybookEntry | None
    how: str  # "name" | "noise" | "phrase" | "negative" | "ambiguous" | "none"
    reason: str
    negative: HardNegative | None = None
    # The name is a part of the function, not another name of it: a sub-discipline ("Frontend" of
    # Engineering) or a longer name containing it ("Customer Success Operations").
    part: bool = False


@lru_cache(maxsize=1)
def _phrases() -> dict[tuple[str, ...], tuple[PlaybookEntry, str, bool]]:
    """Token sequences of every alias and sub-discipline -> (entry, as written, is a sub-discipline)."""
    found: dict[tuple[str, ...], tuple[PlaybookEntry, str, bool]] = {}
    for entry in PLAYBOOK:
        for alias in entry.all_names:
            if alias not in WHOLE_NAME_ONLY:
                found.setdefault(tokens(alias), (entry, alias, False))
    for name, phrases in SUB_DISCIPLINES.items():
        for phrase in phrases:
            owner = found.setdefault(tokens(phrase), (BY_NAME[name], phrase, True))[0]
            if owner.name != name:
                raise AliasCollision(f"Sub-discipline {phrase!r} of {name} is already {owner.name}'s.")
    return found


@lru_cache(maxsize=1)
def _negatives() -> dict[tuple[str, ...], HardNegative]:
    return {tokens(phrase): negative for negative in HARD_NEGATIVES for phrase in negative.phrases}


_NOISE = {tuple(tokens(word)) for word in NOISE_WORDS}


def _spans(words: tuple[str, ...]) -> list[tuple[int, int]]:
    """Every (start, end) of contiguous words, longest first, then the one ending last."""
    return sorted(
        ((i, j) for i in range(len(words)) for j in range(i + 1, len(words) + 1)),
        key=lambda span: (span[0] - span[1], -span[1]),
    )


def _without_noise(words: tuple[str, ...]) -> tuple[str, ...]:
    kept = list(_strip(words))
    for noise in sorted(_NOISE, key=len, reverse=True):
        n = len(noise)
        i = 0
        while i + n <= len(kept) and len(kept) > n:
            if tuple(kept[i : i + n]) == noise:
                del kept[i : i + n]
            else:
                i += 1
    while kept and kept[0] == "and":
        kept.pop(0)
    while kept and kept[-1] == "and":
        kept.pop()
    return tuple(kept)


def _exact(words: tuple[str, ...]) -> tuple[PlaybookEntry, str, bool] | None:
    entry = alias_index().get(_key(words))
    if entry is not None:
        return entry, entry.name, False
    return _phrases().get(words)


def _phrase(words: tuple[str, ...]) -> tuple[PlaybookEntry, str, bool] | None:
    phrases = _phrases()
    for i, j in _spans(words):
        found = phrases.get(words[i:j])
        if found is not None and words[i:j] != ("and",):
            return found
    return None


def primary_layer(entry: PlaybookEntry) -> str:
    """The layer an entry gets under every motion (its first such rule), else its first rule's."""
    steady = [rule for rule in entry.rules if len(rule.motions) == len(ALL_MOTIONS)]
    return str((steady or list(entry.rules))[0].layer)


@lru_cache(maxsize=4096)
def explain(name: str) -> Match:
    """The playbook function a department name stands for, with the reason (see the module's layers)."""
    index = alias_index()
    for key in candidate_keys(name):
        entry = index.get(key)
        if entry is not None:
            return Match(entry, "name", f"“{name.strip()}” is one of the playbook's names for {entry.name}.")
    words = tokens(name)
    for i, j in _spans(words):
        negative = _negatives().get(words[i:j])
        if negative is not None:
            return Match(None, "negative", negative.reason, negative)
    content = _without_noise(words)
    if not content:
        return Match(None, "none", "")
    found = _exact(content) if content != words else None
    if found is not None:
        entry, _, sub = found
        dropped = ", ".join(f"“{word}”" for word in words if word not in content)
        what = "a part" if sub else "a name"
        reason = f"“{name.strip()}” without {dropped} is {what} of {entry.name} in the playbook."
        return Match(entry, "noise", reason, part=sub)
    parts = [part for part in " ".join(content).split(" and ") if part]
    if len(parts) > 1:
        resolved = [_exact(tuple(part.split())) or _phrase(tuple(part.split())) for part in parts]
        entries = {found[0].name for found in resolved if found is not None}
        # Two whole functions ("Product & Engineering") or two layers ("Sales & Marketing") are a leader's
        # call; a function and a part of the same layer ("Data Science & Analytics") make one suggestion.
        whole = all(found is not None and not found[2] for found in resolved)
        layers = {primary_layer(BY_NAME[name]) for name in entries}
        if len(entries) > 1 and (whole or len(layers) > 1):
            both = " and ".join(sorted(entries))
            return Match(None, "ambiguous", f"“{name.strip()}” names two playbook functions ({both}): map it by hand.")
    found = _phrase(content)
    if found is None:
        return Match(None, "none", "")
    entry, written, sub = found
    what = f"{written}, a part of {entry.name}" if sub else f"{written}, a name of {entry.name}"
    return Match(entry, "phrase", f"“{name.strip()}” contains {what} in the playbook.", part=True)


def match(name: str) -> PlaybookEntry | None:
    """The playbook entry a function name stands for, or None (a hard negative, or nothing matches)."""
    return explain(name).entry


@lru_cache(maxsize=1)
def _choices() -> tuple[tuple[str, str], ...]:
    """(spaced normalized alias, playbook name) pairs for fuzzy ranking."""
    return tuple((" ".join(tokens(alias)), entry.name) for entry in PLAYBOOK for alias in entry.all_names)


def hints(name: str, n: int = 3) -> list[str]:
    """The `n` playbook names closest to `name`, best first; [] when the name has no words."""
    return list(_hints(name, n))


@lru_cache(maxsize=4096)
def _hints(name: str, n: int) -> tuple[str, ...]:
    words = _strip(tokens(name)) or tokens(name)
    if not words or n <= 0:
        return ()
    negative = explain(name).negative
    if negative is not None:
        # A hard negative's closest functions come from the playbook data, then the fuzzy ones.
        fuzzy = [hint for hint in _fuzzy(words, len(PLAYBOOK)) if hint not in negative.hints]
        return (*negative.hints, *fuzzy)[:n]
    return _fuzzy(words, n)


def _fuzzy(words: tuple[str, ...], n: int) -> tuple[str, ...]:
    query = " ".join(words)
    choices = _choices()
    scored = process.extract(query, [alias for alias, _ in choices], scorer=fuzz.WRatio, limit=None, processor=None)
    best: dict[str, float] = {}
    for _alias, score, index in scored:
        playbook_name = choices[index][1]
        best[playbook_name] = max(best.get(playbook_name, 0.0), score)
    order = {entry.name: position for position, entry in enumerate(PLAYBOOK)}
    # Ties fall back to the playbook's own order so hints are deterministic.
    ranked = sorted(best.items(), key=lambda item: (-item[1], order[item[0]]))
    return tuple(playbook_name for playbook_name, _ in ranked[:n])
