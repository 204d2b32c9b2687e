"""Accounts on the web: sign-up, sign-in and sign-out pages, and the same as JSON.

**Cookies.** There is one cookie, ``mc_learner`` (app.web.learner): signing up or in
re-issues it with the token of the *account's* learner and the user id, so every route that
already finds "this learner" by the cookie's token finds the account's progress. A request
is signed in when the cookie verifies, names a user, and the learner row holding its token
belongs to that user (:func:`current_account`). Sign-up gives the learner row a new token
(a cookie planted before sign-up is useless afterwards); sign-out gives the account's
learner a new token, which ends every copy of the old cookie, and hands the browser a fresh
anonymous learner. (Parameterised practice problems show new numbers after either, since
the token seeds them.)

**Merge.** Sign-up turns the browser's anonymous learner row into the account's. Sign-in
moves the anonymous learner's attempts, quiz takes and review cards into the account's
learner and deletes the anonymous row, in one transaction (app.store.accounts).

**CSRF.** Every form carries ``csrf``: the learner cookie's token signed by itsdangerous
(salt ``mc-csrf``, valid for a day); a POST whose field does not verify or names another
token is refused with 403. Cross-site pages cannot read the token, and SameSite=Lax keeps
the cookie off their POSTs anyway. The JSON endpoints instead require
``Content-Type: application/json`` (else 415): a cross-site HTML form can only send
``application/x-www-form-urlencoded``, ``multipart/form-data`` or ``text/plain``, and a
script on another origin needs a CORS preflight for JSON, which this app never grants.

**Rate limits.** A sign-in is refused with 429 and ``Retry-After`` while the username has
``MC_SIGN_IN_FAILURES_PER_ACCOUNT`` (5) failures within ``MC_SIGN_IN_WINDOW_SECONDS`` (15
minutes), or the client address has ``MC_SIGN_IN_FAILURES_PER_ADDRESS`` (20). Failures are
rows in the database, shared by every app instance; a success clears the account's. Behind
a proxy, run uvicorn with ``--proxy-headers`` so the address is the client's.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from itsdangerous import BadSignature
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.settings import Settings
from app.store import accounts as store
from app.store.accounts import Account
from app.web.deps import DbDep, SettingsDep, TemplatesDep
from app.web.learner import (
    LearnerCookie,
    new_learner,
    read_learner,
    replace_learner,
    secret_key,
    serializer,
    write_learner,
)

router = APIRouter(tags=["accounts"])
CSRF_SALT = "mc-csrf"
CSRF_MAX_AGE = 60 * 60 * 24
ACCOUNT_KEY = "account"
"""Where :func:`current_account` caches its answer in ``scope["state"]``."""
_NOBODY = object()
CSRF_REFUSED = "This form has expired or came from another page. Please send it again."


# Who is signed in -------------------------------------------------------------------------


def current_account(request: Request) -> Account | None:
    """The account this request is signed in to, or None (one query, once per request)."""
    state = request.scope.setdefault("state", {})
    cached = state.get(ACCOUNT_KEY, None)
    if isinstance(cached, Account):
        return cached
    if cached is _NOBODY:
        return None
    learner = read_learner(request, request.app.state.settings)
    account = None
    if learner.user_id is not None:
        factory: sessionmaker[Session] = request.app.state.session_factory
        with factory() as session:
            account = store.account_of(session, learner.token, learner.user_id)
    state[ACCOUNT_KEY] = account if account is not None else _NOBODY
    return account


def _become(request: Request, account: Account | None) -> LearnerCookie:
    """Make the request's learner the account's (or a fresh anonymous one) from now on."""
    current = read_learner(request, request.app.state.settings)
    if account is None:
        cookie = new_learner(current.secure)
    else:
        cookie = LearnerCookie(account.token, user_id=account.user_id, secure=current.secure)
    replace_learner(request, cookie)
    request.scope["state"][ACCOUNT_KEY] = account if account is not None else _NOBODY
    return cookie


def _anonymous_token(request: Request) -> str | None:
    """The token whose progress sign-in may merge: the learner's, unless signed in."""
    if current_account(request) is not None:
        return None
    return read_learner(request, request.app.state.settings).token


def get_account(request: Request) -> Account | None:
    return current_account(request)


AccountDep = Annotated[Account | None, Depends(get_account)]


# CSRF -------------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The token forms on this page carry: tied to this browser's learner cookie."""
    settings: Settings = request.app.state.settings
    learner = read_learner(request, settings)
    return str(serializer(secret_key(settings), CSRF_SALT).dumps(learner.token))


def csrf_ok(request: Request, value: str) -> bool:
    settings: Settings = request.app.state.settings
    learner = read_learner(request, settings)
    if learner.changed or not value:  # no valid cookie came with the form
        return False
    try:
        token = serializer(secret_key(settings), CSRF_SALT).loads(value, max_age=CSRF_MAX_AGE)
    except BadSignature:
        return False
    return isinstance(token, str) and hmac.compare_digest(token, learner.token)


def require_json(request: Request) -> None:
    """JSON endpoints accept only ``application/json``: a cross-site form cannot send it."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(415, detail="Send this as JSON (Content-Type: application/json).")


def install_accounts(app: FastAPI) -> None:
    """Let every template show who is signed in and put a CSRF token in its forms."""
    app.state.templates.env.globals["current_account"] = current_account
    app.state.templates.env.globals["csrf_token"] = csrf_token


# Sign-up and sign-in, shared by the pages and the JSON endpoints ----------------------------


@dataclass
class Refusal:
    status: int
    message: str
    field: str | None = None
    """The form field the message belongs beside; None for the form as a whole."""
    retry_after: int | None = None


def _clock(request: Request) -> datetime:
    clock: Callable[[], datetime] = getattr(request.app.state, "clock", store.utc_now)
    return clock()


def _limits(settings: Settings) -> store.Limits:
    return store.Limits(
        timedelta(seconds=settings.sign_in_window_seconds),
        settings.sign_in_failures_per_account,
        settings.sign_in_failures_per_address,
    )


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def sign_up(request: Request, db: Session, username: str, password: str) -> Account | Refusal:
    username = username.strip()
    problem = store.username_problem(username)
    if problem:
        return Refusal(422, problem, "username")
    problem = store.password_problem(password)
    if problem:
        return Refusal(422, problem, "password")
    taken = Refusal(409, f"The username {username!r} is taken; choose another.", "username")
    if store.username_taken(db, username):
        return taken
    token = read_learner(request, request.app.state.settings).token
    try:
        account = store.create_account(db, username, password, token)
        db.commit()
    except IntegrityError:  # taken a moment ago by a sign-up running at the same time
        db.rollback()
        return taken
    _become(request, account)
    return account


def sign_in(request: Request, db: Session, username: str, password: str) -> Account | Refusal:
    settings: Settings = request.app.state.settings
    now, limits, address = _clock(request), _limits(settings), _address(request)
    wait = store.retry_after(db, username, address, limits, now)
    if wait:
        minutes = max(1, round(wait / 60))
        message = f"Too many failed sign-ins. Try again in about {minutes} minute(s)."
        return Refusal(429, message, retry_after=wait)
    user = store.authenticate(db, username, password)
    if user is None:
        store.record_failure(db, username, address, limits, now)
        db.commit()
        return Refusal(401, store.WRONG_CREDENTIALS)
    store.clear_failures(db, username)
    account = store.sign_in_learner(db, user, _anonymous_token(request))
    db.commit()
    _become(request, account)
    return account


def sign_out(request: Request, db: Session) -> None:
    account = current_account(request)
    if account is not None:
        store.sign_out(db, account)
        db.commit()
    _become(request, None)


# JSON -------------------------------------------------------------------------------------


class Credentials(BaseModel):
    username: str = Field(max_length=200, examples=["ada"])
    password: str = Field(max_length=1000, examples=["correct horse battery"])


class AccountResponse(BaseModel):
    username: str | None = Field(description="None when not signed in.")
    role: str | None = Field(description="learner or instructor; None when not signed in.")

    @classmethod
    def of(cls, account: Account | None) -> AccountResponse:
        if account is None:
            return cls(username=None, role=None)
        return cls(username=account.username, role=account.role)


JSON_ONLY = [Depends(require_json)]
ACCOUNT_RESPONSES: dict[int | str, dict[str, Any]] = {
    415: {"description": "Not sent as application/json."},
    422: {"description": "A field is too short, too long or has other characters."},
}


def _json_result(request: Request, result: Account | Refusal, settings: Settings) -> Response:
    if isinstance(result, Refusal):
        headers = {"Retry-After": str(result.retry_after)} if result.retry_after else None
        content = {"detail": result.message, "field": result.field}
        return JSONResponse(content, status_code=result.status, headers=headers)
    answer = JSONResponse(AccountResponse.of(result).model_dump())
    write_learner(answer, read_learner(request, settings), settings)
    return answer


@router.get("/api/account", response_model=AccountResponse)
def who_am_i(account: AccountDep) -> AccountResponse:
    """Who is signed in: their username and role, or nulls."""
    return AccountResponse.of(account)


@router.post(
    "/api/account/signup",
    response_model=AccountResponse,
    status_code=200,
    dependencies=JSON_ONLY,
    responses={**ACCOUNT_RESPONSES, 409: {"description": "The username is taken."}},
)
def api_sign_up(body: Credentials, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    """Create an account that keeps this browser's progress, and sign in to it."""
    return _json_result(request, sign_up(request, db, body.username, body.password), settings)


@router.post(
    "/api/account/signin",
    response_model=AccountResponse,
    dependencies=JSON_ONLY,
    responses={
        **ACCOUNT_RESPONSES,
        401: {"description": "Wrong username or password."},
        429: {"description": "Too many failed sign-ins; see Retry-After."},
    },
)
def api_sign_in(body: Credentials, request: Request, db: DbDep, settings: SettingsDep) -> Response:
    """Sign in; this browser's anonymous progress moves into the account."""
    return _json_result(request, sign_in(request, db, body.username, body.password), settings)


@router.post(
    "/api/account/signout",
    response_model=AccountResponse,
    dependencies=JSON_ONLY,
    responses={415: ACCOUNT_RESPONSES[415]},
)
def api_sign_out(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    """Sign out everywhere; this browser becomes a new anonymous learner."""
    sign_out(request, db)
    answer = JSONResponse(AccountResponse.of(None).model_dump())
    write_learner(answer, read_learner(request, settings), settings)
    return answer


# Pages ------------------------------------------------------------------------------------


def safe_next(target: str | None) -> str:
    """Where to go after the form: a path on this site, never another site.

    >>> safe_next("/insight?from=2026-01-01"), safe_next("//evil.example"), safe_next(None)
    ('/insight?from=2026-01-01', '/', '/')
    >>> safe_next("/\\t/evil.example"), safe_next("/\\\\evil.example")
    ('/', '/')
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and all(character.isprintable() and not character.isspace() for character in target)
    ):
        return target
    return "/"


FORMS = {"signup": "account/signup.html", "signin": "account/signin.html"}


def _form_page(
    request: Request,
    templates: Any,
    form: str,
    *,
    username: str = "",
    next_path: str = "/",
    refusal: Refusal | None = None,
) -> HTMLResponse:
    errors: dict[str, str] = {}
    if refusal is not None:
        errors[refusal.field or "form"] = refusal.message
    context = {"username": username, "next": next_path, "errors": errors}
    status = refusal.status if refusal else 200
    if status == 401:
        status = 400  # a page, not an HTTP authentication challenge
    headers = {"Retry-After": str(refusal.retry_after)} if refusal and refusal.retry_after else None
    page: HTMLResponse = templates.TemplateResponse(
        request, FORMS[form], context, status_code=status, headers=headers
    )
    return page


def _done(request: Request, next_path: str, settings: Settings) -> RedirectResponse:
    redirect = RedirectResponse(safe_next(next_path), status_code=303)
    write_learner(redirect, read_learner(request, settings), settings)
    return redirect


@router.get("/signup", response_class=HTMLResponse, name="signup")
def sign_up_page(request: Request, templates: TemplatesDep, next: str = "/") -> HTMLResponse:
    return _form_page(request, templates, "signup", next_path=safe_next(next))


@router.get("/signin", response_class=HTMLResponse, name="signin")
def sign_in_page(request: Request, templates: TemplatesDep, next: str = "/") -> HTMLResponse:
    return _form_page(request, templates, "signin", next_path=safe_next(next))


FormField = Annotated[str, Form(max_length=1000)]


@router.post("/signup", response_class=HTMLResponse, include_in_schema=False)
def sign_up_form(
    request: Request,
    db: DbDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    username: FormField = "",
    password: FormField = "",
    csrf: FormField = "",
    next: FormField = "/",
) -> Response:
    return _submitted(request, db, templates, settings, "signup", username, password, csrf, next)


@router.post("/signin", response_class=HTMLResponse, include_in_schema=False)
def sign_in_form(
    request: Request,
    db: DbDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    username: FormField = "",
    password: FormField = "",
    csrf: FormField = "",
    next: FormField = "/",
) -> Response:
    return _submitted(request, db, templates, settings, "signin", username, password, csrf, next)


def _submitted(
    request: Request,
    db: Session,
    templates: Any,
    settings: Settings,
    page: Literal["signup", "signin"],
    username: str,
    password: str,
    csrf: str,
    next_path: str,
) -> Response:
    """A sign-up or sign-in form sent: refused without its CSRF token, shown again with the
    refusal next to its field, or done (the cookie names the account, and on to next)."""
    if not csrf_ok(request, csrf):
        return _form_page(
            request, templates, page, username=username, refusal=Refusal(403, CSRF_REFUSED)
        )
    act = sign_up if page == "signup" else sign_in
    result = act(request, db, username, password)
    if isinstance(result, Refusal):
        return _form_page(
            request, templates, page, username=username, next_path=next_path, refusal=result
        )
    return _done(request, next_path, settings)


@router.post("/signout", include_in_schema=False)
def sign_out_form(
    request: Request,
    db: DbDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    csrf: FormField = "",
) -> Response:
    if not csrf_ok(request, csrf):
        return _form_page(request, templates, "signin", refusal=Refusal(403, CSRF_REFUSED))
    sign_out(request, db)
    return _done(request, "/", settings)
