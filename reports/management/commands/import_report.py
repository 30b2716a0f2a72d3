from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from partnerships.models import BespokeSupportProject
from reports.importing.document import ImportRefused
from reports.importing.mapping import propose, require_structure
from reports.importing.readers import read
from reports.importing.services import import_draft
from reports.models import LearningReport
from reports.richtext import to_text, word_count
from reports.template_sections import SECTIONS_BY_KEY

FIRST_WORDS = 12


class Command(BaseCommand):
    help = (
        "Import existing Project Learning Reports (Word, PDF, text or Markdown) as drafts. "
        "Prints what was found in each file (the details table, each section's first words and "
        "word count, the sign-off block, warnings); without --dry-run, makes the draft of the "
        "BSP given (--bsp) or replaces the text of a draft (--report)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--bsp", type=int, help="The id of the BSP to start a report for.")
        parser.add_argument("--report", help="The slug of the draft report to import into.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only print what would be imported."
        )
        parser.add_argument(
            "--as",
            dest="actor",
            metavar="EMAIL",
            help="Who imports (a programme admin or TCE project lead); needed without --dry-run.",
        )

    def handle(self, *args, files, bsp, report, dry_run, actor, **options):
        target = {} if dry_run else self.target(bsp=bsp, report=report, actor=actor)
        failed = []
        for name in files:
            try:
                self.import_file(Path(name), target)
            except (ImportRefused, PermissionDenied, ValidationError, OSError) as error:
                self.stderr.write(f"{name}: not imported: {_message(error)}")
                failed.append(name)
        if failed:
            raise CommandError(f"{len(failed)} of {len(files)} file(s) not imported.")

    def target(self, *, bsp, report, actor) -> dict:
        """The arguments of ``import_draft`` that say where and as whom."""
        if (bsp is None) == (report is None):
            raise CommandError("Give --bsp ID or --report SLUG (or --dry-run).")
        if not actor:
            raise CommandError("Give --as EMAIL: the programme admin or TCE lead who imports.")
        try:
            target = {"actor": User.objects.get(email__iexact=actor)}
            if bsp is not None:
                target["bsp"] = BespokeSupportProject.objects.get(pk=bsp)
            else:
                target["report"] = LearningReport.objects.get(slug=report)
        except (
            User.DoesNotExist,
            BespokeSupportProject.DoesNotExist,
            LearningReport.DoesNotExist,
        ) as missing:
            raise CommandError(str(missing)) from None
        return target

    def import_file(self, path: Path, target: dict) -> None:
        data = path.read_bytes()
        document = read(data, path.name)
        proposal = require_structure(propose(document))
        self.stdout.write(f"{path}: {document.source}, {len(document.blocks)} blocks")
        self.print_proposal(proposal)
        if not target:
            return
        made = import_draft(proposal, original_name=path.name, original=data, **target)
        # The report's next target is the draft it now is (a second file updates it).
        target.pop("bsp", None)
        target["report"] = made
        self.stdout.write(self.style.SUCCESS(f"Imported into the draft “{made.title}”."))

    def print_proposal(self, proposal) -> None:
        self.stdout.write("  Details of the BSP:")
        for field in proposal.details:
            found = f"matched: {field.matched}" if field.matched else "needs confirming"
            self.stdout.write(f"    {field.label} -> {field.key}: {field.value} ({found})")
        self.stdout.write("  Sections:")
        for key, html in proposal.sections.items():
            words = to_text(html).split()
            opening = " ".join(words[:FIRST_WORDS]) + ("…" if len(words) > FIRST_WORDS else "")
            self.stdout.write(
                f"    {SECTIONS_BY_KEY[key].heading} (from “{proposal.headings.get(key, '')}”), "
                f"{word_count(html)} words: {opening}"
            )
        if signoff := proposal.signoff:
            self.stdout.write(
                f"  Sign-off block (kept as imported, not as signatures): consent "
                f"{_answer(signoff.consent_to_share)}; date {signoff.date or '-'}; local area "
                f"{signoff.local_area_signatory or '-'} ({signoff.local_area_role or '-'}); TCE "
                f"project lead {signoff.tce_project_lead or '-'}"
            )
        for warning in proposal.warnings:
            self.stdout.write(f"  Warning: {warning}")


def _answer(consent: bool | None) -> str:
    return {True: "yes", False: "no", None: "not shown"}[consent]


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error)
