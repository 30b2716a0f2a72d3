"""The child process that parses a Word file or a PDF: ``python -m reports.importing.worker
KIND MEMORY_BYTES CPU_SECONDS`` reads the file's bytes on standard input and writes what the
reader made of it as JSON on standard output.

Parsers of untrusted files can be made to loop or to swallow memory; here they run with limits
the operating system enforces, and a crash takes only this process with it. Nothing here needs
Django: the parent sanitises what comes back.
"""

import json
import math
import resource
import sys

# Exit statuses the parent tells apart.
OUT_OF_MEMORY = 3


def _limit(memory: int, seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))


def main(argv: list[str]) -> int:
    # The CPU limit is in whole seconds, at least one; the parent's wall-clock timeout, which
    # may be shorter, stops the process anyway.
    kind, memory, seconds = argv[0], int(argv[1]), max(1, math.ceil(float(argv[2])))
    if kind == "docx":
        from .docx import parse
    elif kind == "pdf":
        from .pdf import parse
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    data = sys.stdin.buffer.read()
    _limit(memory, seconds)
    try:
        result = parse(data)
    except MemoryError:
        return OUT_OF_MEMORY
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
