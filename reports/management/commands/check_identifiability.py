import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports.safeguarding.identifiability import check, score

LABELLED = settings.BASE_DIR / "tests" / "reports" / "safeguarding" / "labelled_sentences.json"


class Command(BaseCommand):
    help = (
        "Check plain text (one passage a line) for what could identify a child: prints each "
        "finding as a line of JSON (line, start, end, kind, text, why, confidence). Offsets count "
        "characters from the start of the line. With --score, measures the check's recall and "
        "precision on the labelled sentences instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", metavar="FILE", help="A UTF-8 text file, or - for standard input."
        )
        parser.add_argument(
            "--score",
            action="store_true",
            help="Print recall and precision on the labelled sentences.",
        )
        parser.add_argument(
            "--labelled",
            default=str(LABELLED),
            metavar="JSON",
            help="The labelled sentences for --score (default: the tests' set).",
        )

    def handle(self, *args, **options):
        if options["score"]:
            self._score(options["labelled"])
        elif options["file"]:
            for number, line in enumerate(self._lines(options["file"]), start=1):
                for finding in check(line.rstrip("\r\n")):
                    record = {"line": number, **_fields(finding)}
                    self.stdout.write(json.dumps(record, ensure_ascii=False))
        else:
            raise CommandError("Give a file to check (or - for standard input), or --score.")

    def _lines(self, path: str) -> list[str]:
        if path == "-":
            return sys.stdin.read().splitlines()
        try:
            with open(path, encoding="utf-8") as file:
                return file.read().splitlines()
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
            raise CommandError(f"Cannot read {path}: {reason}.") from error

    def _score(self, path: str) -> None:
        try:
            with open(path, encoding="utf-8") as file:
                labelled = json.load(file)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the labelled sentences in {path}: {error}") from error
        scores = score(labelled)
        self.stdout.write(
            f"recall {scores.recall:.2f} ({scores.found} of {scores.expected} passages found)"
        )
        self.stdout.write(
            f"precision {scores.precision:.2f} "
            f"({scores.right} of {scores.findings} findings were identifying passages)"
        )
        for sentence, kind, passage in scores.missed:
            self.stdout.write(f"missed {kind}: {passage!r} in {sentence!r}")
        for sentence, finding in scores.false_alarms:
            self.stdout.write(f"false alarm {finding.kind}: {finding.text!r} in {sentence!r}")


def _fields(finding) -> dict:
    return {
        "start": finding.start,
        "end": finding.end,
        "kind": finding.kind,
        "text": finding.text,
        "why": finding.why,
        "confidence": finding.confidence,
    }
