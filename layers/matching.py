"""Match an organization's function names to the playbook (DESIGN §3).

A name is normalized (case, accents, punctuation, "&"/"and"/"+"/"/" alike,
plurals, spacing) and looked up *exactly* among the playbook's normalized names and
aliases: first as written, then without a title or container word around it
("Head of", "VP of", "Director of", "Team", "Dept", "Group", "Org" …). Exact
matching keeps the result predictable — "IT Helpdesk" never becomes "Helpdesk"
— and a name that matches nothing gets `None`, with `hints()` offering the
closest playbook names (RapidFuzz) for a leader to map by hand.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz, process

from .playbook import PLAYBOOK, PlaybookEntry

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


@lru_cache(maxsize=4096)
def match(name: str) -> PlaybookEntry | None:
    """The playbook entry a function name stands for, or None when nothing matches exactly."""
    index = alias_index()
    for key in candidate_keys(name):
        entry = index.get(key)
        if entry is not None:
            return entry
    return None


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
