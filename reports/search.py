"""Search over learning reports: one interface, two engines.

PostgreSQL: a stored ``tsvector`` (title A; partnership, local area and region B; every section C)
with a GIN index, queried in websearch syntax (``"soft intelligence" -london``), ranked, with
``ts_headline`` snippets. Elsewhere (SQLite in development): ``icontains`` over the stored plain
text, honouring quoted phrases, ``or`` and ``-exclusions``, with word endings dropped (a light
stemming), and a window of text around the first match.

``matching`` finds the reports that match, ``ranked`` adds their relevance (``search_rank``),
``with_snippets`` their snippets (``search_snippet``), and ``search`` does all three. Snippets carry
the match between ``MARK_START`` and ``MARK_END``; ``snippet_html`` escapes the text and turns
those into ``<mark>``. What a report's search document holds, and when it is rebuilt, is the
microsite's business: ``reports/microsite/search_index.py``.
"""

import json
import logging
import re
import shlex
from contextlib import contextmanager

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import DatabaseError, connections, models
from django.db.models.expressions import RawSQL
from django.db.models.functions import (
    Coalesce,
    Greatest,
    Lower,
    NullIf,
    StrIndex,
    Substr,
)
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .sql import column

logger = logging.getLogger(__name__)

CONFIG = "english"
# Private-use characters: they never occur in report text, so they survive escaping untouched.
MARK_START = "\ue000"
MARK_END = "\ue001"
SNIPPET_CHARS = 280
# Characters of a report's text that PostgreSQL's snippet is chosen from: a window around the
# first match of a search for one word or phrase, a wider one when the search names more, so
# that the snippet can show them together (``_window``).
HEADLINE_WINDOW = 240
HEADLINE_WINDOW_FOR_MORE_TERMS = 450
# Ranking reads every matching report's whole search vector. Above this many matches (a word that
# is in most reports) the results are listed newest first instead, and the page says so.
RANK_LIMIT = 500


def ranks_results(queryset, count: int) -> bool:
    """Whether ``count`` matches of a search in ``queryset``'s database are ordered by relevance."""
    return count <= RANK_LIMIT or connections[queryset.db].vendor != "postgresql"


def estimated_count(queryset) -> int | None:
    """How many rows ``queryset`` holds, as PostgreSQL's planner estimates it from its statistics
    (``EXPLAIN``, which runs nothing: 0.2 ms where counting a word in every one of 10,000
    reports reads all 10,000 rows, 2 ms); ``None`` elsewhere."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    explained = json.loads(queryset.order_by().values("pk").explain(format="json"))
    # Django gives the plan's one element (a list's, as PostgreSQL returns it, on its own).
    plan = explained[0] if isinstance(explained, list) else explained
    return int(plan["Plan"]["Plan Rows"])


@contextmanager
def through_the_index(using: str = "default"):
    """Run the queries of a search inside this block on PostgreSQL's GIN index.

    The planner costs ``search_vector @@ query`` as a cheap comparison, so for a word in most
    reports it prefers a sequential scan, which reads (de-TOASTs) every report's whole search
    vector: 127 ms at 10,000 reports against 2.5 ms through the index, which answers a plain word
    without reading a vector. Sequential scans are therefore ruled out for this block only.
    Elsewhere (SQLite) this does nothing.

    A query that must scan a table all the same (a list of nine regions) is then costed above
    ``jit_above_cost``, and PostgreSQL would compile it to machine code first: 106 ms for a
    query that runs in 0.05 ms. So just-in-time compilation is turned off for the block too.

    Outside a transaction (a page of results) the connection's settings are changed, then
    reset as the block ends: two round trips, where a transaction of its own for ``SET LOCAL``
    took three (its ``BEGIN``, the settings, its ``COMMIT``). Should the reset fail, the
    connection is closed: a connection kept for later requests never keeps these settings.
    Inside a transaction, they are set for the rest of it (``SET LOCAL``).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    if connection.in_atomic_block:
        with connection.cursor() as cursor:  # both in one round trip
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL jit = off")
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET jit = off")
    try:
        yield
    finally:
        _reset_planner(connection)


def _reset_planner(connection) -> None:
    """Undo ``through_the_index``'s settings, or close the connection."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan; RESET jit")
    except DatabaseError:
        logger.warning("Could not reset the search's planner settings: connection closed")
        connection.close()


def search(queryset, query: str):
    """The reports of ``queryset`` matching ``query``, annotated with ``search_rank``,
    ``search_snippet`` and ``search_terms``: ``matching``, ``ranked`` and ``with_snippets`` in
    one. A page of results uses them apart: it counts the matches without rank or snippet,
    and orders them (ranked only when it sorts by relevance) with snippets cut for the reports
    it shows alone (``filters.CardsInOrder``)."""
    return with_snippets(ranked(matching(queryset, query), query), query)


def matching(queryset, query: str):
    """The reports of ``queryset`` that match ``query``, and nothing more: what counts, facets
    and a page's ids read."""
    query = (query or "").strip()
    if not query:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        return queryset.filter(search_vector=_search_query(query))
    return _matching_fallback(queryset, parse_websearch(query))


def ranked(queryset, query: str):
    """``queryset`` (matches of ``query``) annotated with ``search_rank``, their relevance:
    PostgreSQL's ``ts_rank`` (which reads each match's search vector), or elsewhere the number
    of terms in the title."""
    query = (query or "").strip()
    if not query:
        return queryset.annotate(search_rank=models.Value(0.0, output_field=models.FloatField()))
    if connections[queryset.db].vendor == "postgresql":
        return queryset.annotate(
            search_rank=SearchRank(models.F("search_vector"), _search_query(query))
        )
    groups, _exclude = parse_websearch(query)
    terms = [stem(term) for group in groups for term in group]
    return queryset.annotate(
        search_rank=sum(
            (
                models.Case(
                    models.When(title__icontains=term, then=models.Value(1.0)),
                    default=models.Value(0.0),
                    output_field=models.FloatField(),
                )
                for term in terms
            ),
            start=models.Value(0.0, output_field=models.FloatField()),
        )
    )


def with_snippets(queryset, query: str):
    """``queryset`` (a page of matches of ``query``) annotated with ``search_snippet``, a window
    of each report's text around a match with the matches marked, and ``search_terms``, what
    ``snippet_html`` marks in it (PostgreSQL marks its own: "")."""
    query = (query or "").strip()
    if not query:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        return _snippets_postgres(queryset, query)
    return _snippets_fallback(queryset, query)


def _search_query(query: str) -> SearchQuery:
    return SearchQuery(query, search_type="websearch", config=CONFIG)


def _snippets_postgres(queryset, query: str):
    groups, _exclude = parse_websearch(query)
    terms = [stem(term) for term in groups[0]] if groups else []
    one_term = len(groups) <= 1 and len(terms) <= 1
    # Every term searched for is marked wherever it is in the window. Given the search itself,
    # ts_headline marked nothing unless the window held every term, and then showed the
    # window's first words, not the match: two words far apart in a report match it.
    any_term = " or ".join(f'"{term}"' for group in groups for term in group)
    return queryset.annotate(
        search_snippet=SearchHeadline(
            _window(
                queryset, terms, HEADLINE_WINDOW if one_term else HEADLINE_WINDOW_FOR_MORE_TERMS
            ),
            _search_query(any_term or query),
            config=CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_END,
            max_words=35,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
        search_terms=models.Value(""),  # PostgreSQL marks the matches itself
    )


def _window(queryset, terms: list[str], size: int) -> RawSQL:
    """The part of a report's text that its snippet is chosen from (PostgreSQL).

    ts_headline parses the whole text it is given (14 kB a report on average: 1.2 ms each), so
    it is given ``size`` characters around the first match of the first term, a third of them
    before it (``_first_match_as_written``; a match in the title alone: the
    window opens the text). The window ends and begins with whole words: its last word, and
    its first unless it opens the text, are dropped (either may be cut in half). Snippets are
    of 15 to 35 words: 240 characters, some 35 words, hold one (ts_headline took 1.1 ms to
    parse 450 for a page of 20, 0.55 ms to parse 240), but a search for two words needs more
    for both to be in it. (A window of 600 characters and snippets of up to 45 words took
    twice as long as 450, and their second fragment often ended mid-word.)

    It is written in SQL: the same expression made of the ORM's functions took a millisecond a
    page to build. Every name in it is the model's own, quoted; every value a parameter."""
    text = column(queryset.model, "search_text", using=queryset.db)
    first, params = _first_match_as_written(text, terms)
    start = f"GREATEST({first} - %s, 1)"
    start_params = [*params, size // 3]
    window = f"SUBSTRING({text}, {start}, %s)"
    window_params = [*start_params, size]
    # Each word dropped by an expression anchored at the start, the last one from the window
    # reversed: "\s+\S*$", the last word looked for at every position, took 0.35 ms a page.
    first_word_dropped = (
        f"CASE WHEN {start} > 1 THEN regexp_replace({window}, %s, '') ELSE {window} END"
    )
    return RawSQL(  # noqa: S611  # nosec B611
        f"reverse(regexp_replace(reverse({first_word_dropped}), %s, ''))",  # nosec B608
        [*start_params, *window_params, FIRST_WORD, *window_params, FIRST_WORD],
        output_field=models.TextField(),
    )


# A text's first word (whole or cut) and the spaces after it.
FIRST_WORD = r"^\S*\s+"


def parse_websearch(query: str) -> tuple[list[list[str]], list[str]]:
    """``'"soft intelligence" data or mace -london'`` ->
    ([["soft intelligence"], ["data", "mace"]], ["london"]).

    The fallback's reading of websearch syntax: quoted phrases and words, each group of which
    must match (``or`` joins the terms either side of it into one group, any of which will do),
    and ``-`` to exclude.
    """
    try:
        tokens = shlex.split(query)
    except ValueError:  # an unbalanced quote: read the words as they are
        tokens = query.replace('"', " ").split()
    groups: list[list[str]] = []
    exclude: list[str] = []
    join_next = False
    for token in tokens:
        if token.lower() == "or":
            join_next = bool(groups)
            continue
        if token.startswith("-") and len(token) > 1:
            exclude.append(token[1:].lower())
        elif token.strip("-"):
            if join_next:
                groups[-1].append(token.lower())
            else:
                groups.append([token.lower()])
        join_next = False
    return groups, exclude


# The fallback's stemming: a word's common English endings are dropped, so that "exploited"
# finds "exploitation" and "agencies" finds "agency" (``icontains`` matches the rest). Phrases
# are matched as typed.
_ENDINGS = ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s")


def stem(term: str) -> str:
    if " " in term:
        return term
    for ending in _ENDINGS:
        if term.endswith(ending) and len(term) - len(ending) >= 4 and not term.endswith("ss"):
            return term[: -len(ending)]
    return term


def _matching_fallback(queryset, parsed: tuple[list[list[str]], list[str]]):
    groups, exclude = parsed
    for group in groups:
        any_of = models.Q()
        for term in group:
            any_of |= models.Q(search_text__icontains=stem(term))
        queryset = queryset.filter(any_of)
    for term in exclude:
        queryset = queryset.exclude(search_text__icontains=term)
    return queryset


def _snippets_fallback(queryset, query: str):
    groups, _exclude = parse_websearch(query)
    groups = [[stem(term) for term in group] for group in groups]
    if not groups:
        return queryset.annotate(
            search_snippet=Substr("search_text", 1, SNIPPET_CHARS),
            search_terms=models.Value(""),
        )
    terms = [term for group in groups for term in group]
    # The snippet starts near the first group's first match (of whichever term matched).
    first_match = _first_match(groups[0])
    return queryset.annotate(
        search_snippet=Substr(
            "search_text", Greatest(first_match - SNIPPET_CHARS // 3, 1), SNIPPET_CHARS
        ),
        search_terms=models.Value("\t".join(terms)),
    )


def _first_match(terms: list[str]):
    """Where in a report's text the first of ``terms`` (lower case) first occurs; 1 if none."""
    if not terms:  # a query of exclusions alone ("-london") or of punctuation ("-")
        return models.Value(1)
    return Coalesce(
        *(NullIf(StrIndex(Lower("search_text"), models.Value(term)), 0) for term in terms),
        models.Value(1),
    )


def _first_match_as_written(text: str, terms: list[str]) -> tuple[str, list]:
    """SQL for where in a report's ``text`` (a quoted column) the first of ``terms`` (lower
    case) first occurs as written in running text: in lower case, or capitalised at the start
    of a sentence; 1 if neither; and its parameters. Lower-casing a whole report's text to look
    for it (``_first_match``) took longer than the snippet itself (20 reports: 2.3 ms against
    1.4 ms); a term written in capitals only is looked for no further, and the window then
    opens the text. A term of six letters or more is looked for once, without its first letter
    ("xploit" finds "exploit" and "Exploit"), in one reading of the text that stops at its
    first match; a shorter one, as written and capitalised (without its first letter, it would
    be found inside other words)."""
    found, params = [], []
    for term in terms:
        if len(term) >= 6:
            found.append(f"NULLIF(STRPOS({text}, %s), 0) - 1")
            params.append(term[1:])
        else:
            found.append(f"LEAST(NULLIF(STRPOS({text}, %s), 0), NULLIF(STRPOS({text}, %s), 0))")
            params.extend([term, term[:1].upper() + term[1:]])
    return f"COALESCE({', '.join([*found, '1'])})", params


def snippet_html(snippet: str, terms: str = "") -> SafeString:
    """Escape a snippet and highlight its matches with ``<mark>``.

    PostgreSQL has marked the (stemmed) matches already; the fallback's snippet carries its
    terms (tab-separated) and they are marked here, case-insensitively.
    """
    text = (snippet or "").replace("\n", " ")
    if MARK_START not in text and terms:
        # The fallback cut a window of characters: drop the words it may have cut in half.
        text = " ".join(text.split(" ")[1:-1]) or text
        # A stemmed term marks the whole word it is in ("exploit" in "exploitation").
        pattern = "|".join(re.escape(t) for t in sorted(terms.split("\t"), key=len, reverse=True))
        text = re.sub(
            f"(\\w*(?:{pattern})\\w*)", f"{MARK_START}\\1{MARK_END}", text, flags=re.IGNORECASE
        )
    html = escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own <mark> tags are added
