"""The review web app (Flask): the indicators table, the "next" queue, project pages, and answers.

Safe by default: templates auto-escape every value (documents are untrusted input) and the scripts
write text with `textContent` only; a Content-Security-Policy allows only this app's own script and
style; writes need the per-process CSRF token; on a loopback address only loopback Host headers are
served (no DNS rebinding), on any other address an access token printed at start-up is required;
static files are served from memory by name, so no request value reaches the file system.
"""

from __future__ import annotations

import hmac
import secrets
from importlib import resources

from flask import Flask, Response, abort, jsonify, redirect, render_template, request, url_for

from nlp import corrections as corr
from nlp.review.store import SORTABLE, Query, ReviewError, Store
from nlp.schema import KINDS, LEVEL2, OPS

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
TOKEN_COOKIE = "jixiao_review_token"
_STATIC_TYPES = {"review.js": "text/javascript", "review.css": "text/css"}
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _static_files() -> dict[str, bytes]:
    """The page's script and style, read once from the package."""
    folder = resources.files("nlp.review") / "static"
    return {name: (folder / name).read_bytes() for name in _STATIC_TYPES}


def _host_name(host: str) -> str:
    """The host of a Host header without its port ("[::1]:8765" → "[::1]")."""
    return host if host.endswith("]") else host.rsplit(":", 1)[0]


def create_app(store: Store, *, token: str | None = None, loopback_only: bool = True) -> Flask:
    """The Flask app over `store`. `token`: required from every client (a non-loopback --host)."""
    app = Flask(__name__, static_folder=None)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    csrf = secrets.token_urlsafe(32)
    static = _static_files()
    picks = {"level2_final": LEVEL2, "annual_kind": KINDS, "annual_op": OPS, "name_kind": corr.NAME_KINDS}

    @app.before_request
    def guard():
        if loopback_only and _host_name(request.host) not in LOOPBACK:
            abort(400, "this server answers only to 127.0.0.1 / localhost")
        if token is None:
            return None
        given = request.args.get("token")
        if given is not None and hmac.compare_digest(given, token):
            args = {k: v for k, v in request.args.items() if k != "token"}
            response = redirect(url_for(request.endpoint or "index", **(request.view_args or {}), **args))
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
            return response
        if not hmac.compare_digest(request.cookies.get(TOKEN_COOKIE, ""), token):
            abort(403, "open the address with ?token=… printed when the server started")
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.update(_HEADERS)
        return response

    def page(queue: bool):
        query = Query.from_args(request.args, queue=queue)
        result = store.query(query)
        return render_template(
            "table.html",
            query=query,
            page=result,
            choices=store.choices(),
            picks=picks,
            sortable=SORTABLE,
            csrf=csrf,
            out_name=store.out.name,
            endpoint="queue" if queue else "index",
            problems=store.problems,
        )

    @app.get("/")
    def index():
        return page(queue=False)

    @app.get("/next")
    def queue():
        return page(queue=True)

    @app.get("/project/<project_id>")
    def project(project_id: str):
        found = store.project(project_id)
        if found is None:
            abort(404, "no such project")
        return render_template("project.html", csrf=csrf, picks=picks, out_name=store.out.name, **found)

    @app.get("/api/rows")
    def api_rows():
        query = Query.from_args(request.args, queue=request.args.get("queue") == "1")
        result = store.query(query)
        return jsonify(
            total=result.total,
            page=result.page,
            pages=result.pages,
            per_page=result.per_page,
            rows=result.rows,
        )

    @app.post("/api/answer")
    def api_answer():
        if not hmac.compare_digest(request.headers.get("X-CSRF-Token", ""), csrf):
            return jsonify(error="missing or wrong CSRF token"), 403
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(error="expected a JSON object"), 400
        try:
            seq = int(body.get("seq"))
            row = store.answer(
                str(body.get("doc", "")),
                str(body.get("project_id", "")),
                seq,
                str(body.get("action", "")),
                body.get("values") if isinstance(body.get("values"), dict) else {},
                str(body.get("reviewer", "")),
            )
        except (TypeError, ValueError) as err:  # ReviewError is a ValueError
            status = 404 if isinstance(err, ReviewError) and str(err).startswith("no indicator") else 400
            return jsonify(error=str(err)), status
        return jsonify(row=row)

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)

    @app.get("/static/<name>")
    def static_file(name: str):
        if name not in static:
            abort(404)
        return Response(static[name], mimetype=_STATIC_TYPES[name])

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    def error(err):
        return Response(f"{err.code} {err.description}\n", status=err.code, mimetype="text/plain")

    return app


def serve(out_dir: str, host: str = "127.0.0.1", port: int = 8765, echo=print) -> None:
    """Serve OUT_DIR on host:port until interrupted; a non-loopback host gets an access token."""
    from werkzeug.serving import run_simple

    store = Store(out_dir)
    loopback = host in LOOPBACK
    token = None if loopback else secrets.token_urlsafe(24)
    app = create_app(store, token=token, loopback_only=loopback)
    shown = f"[{host}]" if ":" in host else host
    suffix = f"/?token={token}" if token else "/"
    echo(f"reviewing {len(store.rows)} indicators of {out_dir}; answers go to {store.corrections_path}")
    echo(f"open http://{shown}:{port}{suffix}   (Ctrl-C to stop)")
    if token:
        echo("this address is reachable from other machines: share the token only with reviewers")
    run_simple(host, port, app, threaded=True)
