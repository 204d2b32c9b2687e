"""Command line: ``python -m app check-content [content-dir]``."""

from __future__ import annotations

import sys
from pathlib import Path

from app.settings import get_settings


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check-content":
        print("usage: python -m app check-content [content-dir]", file=sys.stderr)
        return 2
    from app.grading.content_check import check_content

    content_dir = Path(argv[1]) if len(argv) > 1 else get_settings().content_dir
    problems = check_content(content_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check-content: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"check-content: {content_dir} is sound")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
