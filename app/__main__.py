"""Command line: ``python -m app check-content [content-dir]`` and
``python -m app make-instructor USERNAME`` (the database of ``MC_DATABASE_URL``)."""

from __future__ import annotations

import sys
from pathlib import Path

from app.settings import get_settings

USAGE = "usage: python -m app check-content [content-dir] | python -m app make-instructor USERNAME"


def main(argv: list[str]) -> int:
    if argv and argv[0] == "check-content":
        return check_content(argv[1:])
    if argv and argv[0] == "make-instructor" and len(argv) == 2:
        return make_instructor(argv[1])
    print(USAGE, file=sys.stderr)
    return 2


def check_content(argv: list[str]) -> int:
    from app.content.lesson_maths import check_lesson_maths
    from app.content.lessons import LessonError, LessonLibrary
    from app.content.placeholders import check_placeholders
    from app.content.problems import ProblemError, ProblemLibrary
    from app.grading.content_check import check_content

    content_dir = Path(argv[0]) if argv else get_settings().content_dir
    problems = check_content(content_dir)
    try:
        library = ProblemLibrary(content_dir / "problems")
    except ProblemError:
        pass  # check_content has reported it
    else:
        problems.extend(check_placeholders(library.by_id.values()))
    try:
        lessons = LessonLibrary(content_dir / "lessons").all()
    except LessonError:
        pass  # check_content has reported it
    else:
        problems.extend(check_lesson_maths(lessons))  # maths outside $…$ shows as raw text
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check-content: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"check-content: {content_dir} is sound")
    return 0


def make_instructor(username: str) -> int:
    """Give the account the instructor role (the /insight page); 1 if there is no such user."""
    from app.store import accounts
    from app.store.db import make_engine, make_session_factory
    from app.store.migrate import upgrade_to_head

    url = get_settings().resolved_database_url
    upgrade_to_head(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            if not accounts.set_role(session, username, "instructor"):
                print(f"make-instructor: no user called {username!r}", file=sys.stderr)
                return 1
            session.commit()
    finally:
        engine.dispose()
    print(f"make-instructor: {accounts.canonical(username)} is now an instructor")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
