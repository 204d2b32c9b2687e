"""No module under app/ calls anything that would run text as code.

Learner text reaches the maths only through app.mathcore.parse, which builds our own tree; a
call to eval, exec, compile, sympy's sympify or parse_expr, pickle's loaders or __import__
anywhere in app/ would be a door for it to run as Python. The scanner below reads every module
with ``ast`` (so a comment or a docstring naming these is fine) and resolves imports, so
``from sympy import sympify as s`` or ``import pickle as p; p.loads`` are caught too.

``sympy.lambdify`` compiles with exec inside, so it is allowed only in the modules of
``LAMBDIFY_ALLOWED``, each with its reason, and never with a string among its arguments.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parents[1] / "app"

# Called as bare names (builtins) or through the builtins module.
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__"}
# Fully qualified names, after resolving the module's imports.
FORBIDDEN_QUALIFIED = {
    *(f"builtins.{name}" for name in FORBIDDEN_BUILTINS),
    "pickle.loads",
    "pickle.load",
    "pickle.Unpickler",
    "_pickle.loads",
    "_pickle.load",
    "marshal.loads",
    "marshal.load",
    "importlib.import_module",
    "sympy.S",  # S("...") is sympify("...")
}
# Forbidden wherever they come from: sympy exports them from several modules.
FORBIDDEN_LAST_NAMES = {"sympify", "parse_expr", "parse_latex"}
LAMBDIFY = "lambdify"

# Module (relative to app/) → why its lambdify calls never see learner text.
LAMBDIFY_ALLOWED = {
    "viz/functions.py": (
        "compiles sympy objects that to_sympy builds from the tree app.mathcore.parse returned,"
        " with sympy Symbols as the arguments: no string reaches lambdify"
    ),
}


@dataclass(frozen=True)
class Finding:
    module: str
    line: int
    call: str
    why: str

    def __str__(self) -> str:
        return f"app/{self.module}:{self.line}: {self.call} ({self.why})"


def imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name → the qualified name it was imported as, for every import in the module."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    names[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None for a call on anything but a plain name chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def is_text(node: ast.expr) -> bool:
    """A string literal, an f-string, or text built from one with + or %."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return is_text(node.left) or is_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in {"str", "repr", "format"}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in {"format", "join"} and is_text(node.func.value)
    return False


def scan(source: str, module: str) -> list[Finding]:
    """Every forbidden call in ``source``, which is the module ``module`` under app/."""
    tree = ast.parse(source)
    imports = imported_names(tree)
    findings: list[Finding] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        parts = dotted(node.func)
        if parts is None:
            continue
        written = ".".join(parts)
        root = imports.get(parts[0])
        qualified = ".".join([root, *parts[1:]]) if root else written
        why = forbidden(node, parts, qualified, root is None, module)
        if why:
            findings.append(Finding(module, node.lineno, written, why))
    return findings


def forbidden(call: ast.Call, parts: list[str], qualified: str, bare: bool, module: str) -> str:
    """Why ``call`` of ``qualified`` (``bare``: a name no import bound) is forbidden, or ""."""
    last = qualified.rsplit(".", 1)[-1]
    if len(parts) == 1 and bare and parts[0] in FORBIDDEN_BUILTINS:
        return "runs text as code"
    if qualified in FORBIDDEN_QUALIFIED:
        return "runs text or bytes as code"
    if last in FORBIDDEN_LAST_NAMES:
        return "sympy evaluates text with eval"
    if last == LAMBDIFY:
        keywords = [keyword.value for keyword in call.keywords if keyword.arg in {"args", "expr"}]
        if any(is_text(argument) for argument in [*call.args[:2], *keywords]):
            return "lambdify sympifies a string argument"
        if module not in LAMBDIFY_ALLOWED:
            return "lambdify compiles with exec: allow the module in LAMBDIFY_ALLOWED"
    return ""


def app_modules() -> list[Path]:
    return sorted(APP_DIR.rglob("*.py"))


def test_there_are_modules_to_scan() -> None:
    modules = {path.relative_to(APP_DIR).as_posix() for path in app_modules()}
    assert "main.py" in modules
    assert set(LAMBDIFY_ALLOWED) <= modules, "an allowed module is gone: drop its entry"


def test_no_module_under_app_runs_text_as_code() -> None:
    findings = [
        finding
        for path in app_modules()
        for finding in scan(path.read_text(), path.relative_to(APP_DIR).as_posix())
    ]
    assert [str(finding) for finding in findings] == []


def test_every_allowed_lambdify_module_still_calls_lambdify() -> None:
    # An entry whose module no longer needs it would silently allow a new call later.
    for module in LAMBDIFY_ALLOWED:
        tree = ast.parse((APP_DIR / module).read_text())
        called = {
            ".".join(parts)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and (parts := dotted(node.func))
        }
        assert any(name.endswith(LAMBDIFY) for name in called), module


BAD = {
    "bare eval": "eval(text)",
    "bare exec": "exec(text)",
    "builtin compile": "code = compile(text, '<learner>', 'eval')",
    "__import__": "module = __import__(name)",
    "builtins module": "import builtins\nbuiltins.eval(text)",
    "aliased builtin": "from builtins import exec as run\nrun(text)",
    "sympy.sympify": "import sympy\nsympy.sympify(text)",
    "sympy alias": "import sympy as sp\nsp.sympify(text)",
    "from-imported sympify": "from sympy import sympify\nsympify(text)",
    "renamed sympify": "from sympy import sympify as s\ns(text)",
    "sympy.S": "import sympy\nsympy.S(text)",
    "parse_expr": "from sympy.parsing.sympy_parser import parse_expr\nparse_expr(text)",
    "pickle.loads": "import pickle\npickle.loads(data)",
    "from-imported loads": "from pickle import loads\nloads(data)",
    "pickle alias": "import pickle as p\np.load(handle)",
    "import_module": "import importlib\nimportlib.import_module(name)",
    "lambdify on a literal": "import sympy\nsympy.lambdify('x', 'x**2')",
    "lambdify on an f-string": "import sympy\nsympy.lambdify(x, f'{text}**2')",
    "lambdify on built text": "from sympy import lambdify\nlambdify(x, text + '**2')",
    "lambdify keyword": "import sympy\nsympy.lambdify(args=x, expr='{}'.format(text))",
    "nested in a function": "def f(text):\n    return [eval(t) for t in text]",
}


@pytest.mark.parametrize("source", BAD.values(), ids=list(BAD))
def test_the_scanner_catches(source: str) -> None:
    findings = scan(source, "web/bad.py")
    assert len(findings) == 1, findings
    assert findings[0].line == len(source.splitlines())


def test_the_scanner_catches_lambdify_outside_the_allowed_modules() -> None:
    source = "import sympy\nf = sympy.lambdify(x, expr)"
    assert [f.call for f in scan(source, "web/bad.py")] == ["sympy.lambdify"]
    assert scan(source, "viz/functions.py") == []
    # A string is never allowed, not even where lambdify is.
    assert len(scan("import sympy\nsympy.lambdify(x, 'x')", "viz/functions.py")) == 1


GOOD = {
    "a method named eval": "self.eval(expr)",
    "re.compile": "import re\nre.compile(r'\\d+')",
    "json.loads": "import json\njson.loads(text)",
    "a signer's loads": "serializer(key).loads(value)",
    "a docstring naming eval": '"""Never eval(text) or sympify(text)."""',
    "the word in a string": "message = 'eval(x) is not used'",
}


@pytest.mark.parametrize("source", GOOD.values(), ids=list(GOOD))
def test_the_scanner_lets_through(source: str) -> None:
    assert scan(source, "web/good.py") == []
