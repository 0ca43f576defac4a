"""The review page's API and its safety, through Flask's test client on the seeds' real tables."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from nlp import corrections as corr
from nlp.cli import app as cli
from nlp.outputs import TableError

if not os.environ.get("CI"):  # the `review` extra; in CI a missing library is an error, not a skip
    pytest.importorskip("flask")

from nlp.review.app import TOKEN_COOKIE, create_app
from nlp.review.store import MAX_PER_PAGE, SEARCHED, Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "documents"
DOC = "000_e4e529e5a252bb3b"
PID = f"{DOC}-001"  # 编外人员聘用经费, linked to 001_9bd8c889aec7234b-014 (same name, other district)
SCRIPT = "<script>window.__pwned=1</script>"


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seeds")
    result = CliRunner().invoke(cli, ["normalize", str(SEEDS), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def out(seeds_out, tmp_path) -> Path:
    """A fresh copy of the seeds' output per test, so answers do not leak between tests."""
    return Path(shutil.copytree(seeds_out, tmp_path / "out"))


@pytest.fixture
def client(out):
    return create_app(Store(out)).test_client()


def csrf_of(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', page)[1]


def post(client, token: str | None, **body):
    headers = {"X-CSRF-Token": token} if token is not None else {}
    return client.post("/api/answer", json=body, headers=headers)


def rows(client, **args) -> dict:
    response = client.get("/api/rows", query_string=args)
    assert response.status_code == 200
    return response.get_json()


# ---------------------------------------------------------------- reading: filter, search, sort, page


def test_index_page(client, out):
    response = client.get("/")
    assert response.status_code == 200
    total = len(pd.read_parquet(out / "indicators.parquet"))
    assert f"of {total}</p>" in response.get_data(as_text=True)


def test_paging(client, out):
    total = len(pd.read_parquet(out / "indicators.parquet"))
    first, second = rows(client, per_page=10), rows(client, per_page=10, page=2)
    assert first["total"] == second["total"] == total
    assert len(first["rows"]) == len(second["rows"]) == 10
    assert {r["rid"] for r in first["rows"]}.isdisjoint(r["rid"] for r in second["rows"])
    assert rows(client, per_page=10_000)["per_page"] == MAX_PER_PAGE
    last = rows(client, per_page=10, page=10**5)  # past the end: the last page
    assert last["page"] == first["pages"] == -(-total // 10) and last["rows"]


def test_filter_by_department(client, out):
    projects = pd.read_parquet(out / "projects.parquet")
    indicators = pd.read_parquet(out / "indicators.parquet")
    department = projects["department"].iloc[0]
    expected = indicators["project_id"].isin(projects.loc[projects["department"] == department, "project_id"])
    got = rows(client, department=department, per_page=200)
    assert got["total"] == int(expected.sum()) > 0
    assert {r["department"] for r in got["rows"]} == {department}


@pytest.mark.parametrize(
    ("arg", "value", "check"),
    [
        ("flag", "vague", lambda r: "vague" in r["flags"]),
        ("kind", "qualitative", lambda r: r["annual_kind"] == "qualitative"),
        ("source", "predicted", lambda r: r["level2_source"] == "predicted"),
        ("project", PID, lambda r: r["project_id"] == PID),
        ("project", "编外人员", lambda r: "编外人员" in r["project"]),
        ("q", "满意度", lambda r: any("满意度" in str(r[c]) for c in SEARCHED)),
        ("q", "滿意度", lambda r: any("满意度" in str(r[c]) for c in SEARCHED)),  # traditional = simplified
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_filters(client, arg, value, check):
    got = rows(client, **{arg: value}, per_page=200)
    assert got["total"] > 0
    assert all(check(r) for r in got["rows"])


def test_unknown_filter_value_matches_nothing(client):
    assert rows(client, flag="no_such_flag")["total"] == 0


def test_sort_by_number_descending(client):
    got = [r["annual_number"] for r in rows(client, sort="annual_number", desc=1, per_page=200)["rows"]]
    numbers = [n for n in got if n is not None]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) > 10
    assert got[: len(numbers)] == numbers  # empty values last


def test_unknown_sort_column_is_ignored(client):
    assert rows(client, sort="__class__")["total"] > 0


def test_queue_is_most_useful_first(client):
    queue = rows(client, queue=1, per_page=200)["rows"]
    scores = [r["teach"] for r in queue]
    assert scores == sorted(scores, reverse=True)
    top = queue[0]
    assert top["why"]  # says why it comes first
    everyone = rows(client, per_page=200, sort="teach", desc=1)["rows"]
    assert everyone[-1]["teach"] <= top["teach"]


def test_answered_rows_leave_the_queue(client):
    token = csrf_of(client)
    top = rows(client, queue=1)["rows"][0]
    answer = dict(doc=top["doc"], project_id=top["project_id"], seq=top["seq"], action="accept")
    assert post(client, token, **answer).status_code == 200
    assert rows(client, queue=1)["rows"][0]["rid"] != top["rid"]


def test_project_view_with_family_and_links(client):
    page = client.get(f"/project/{PID}").get_data(as_text=True)
    assert "编外人员聘用经费" in page
    assert "001_9bd8c889aec7234b-014" in page  # the linked project of the other district
    assert "counterpart_other_place" in page  # the link's relation and evidence
    assert "编外人员到位率" in page  # one of its indicators


def test_unknown_project_is_404(client):
    assert client.get("/project/nope").status_code == 404


# ---------------------------------------------------------------- answering


def test_accept_is_appended_at_once(client, out):
    token = csrf_of(client)
    response = post(client, token, doc=DOC, project_id=PID, seq=1, action="accept", reviewer="ann")
    assert response.status_code == 200
    assert response.get_json()["row"]["status"] == "reviewed"
    answers, _ = corr.read(out / "corrections.csv")
    assert [(a.doc, a.project_id, a.seq, a.field, a.value, a.reviewer) for a in answers] == [
        (DOC, PID, 1, "accept", "", "ann")
    ]


def test_correction_writes_only_changed_fields(client, out):
    token = csrf_of(client)
    shown = rows(client, project=PID)["rows"][0]
    values = {f: shown[f] if shown[f] is not None else "" for f in corr.VALUE_FIELDS}
    values |= {"level2_final": "12-质量指标", "annual_number": "95"}
    response = post(client, token, doc=DOC, project_id=PID, seq=1, action="correct", values=values)
    assert response.status_code == 200, response.get_json()
    row = response.get_json()["row"]
    assert (row["level2_final"], row["level2_source"], row["annual_number"]) == (
        "12-质量指标",
        "reviewed",
        95,
    )
    answers, _ = corr.read(out / "corrections.csv")
    assert sorted((a.field, a.value) for a in answers) == [
        ("annual_number", "95.0"),
        ("level2_final", "12-质量指标"),
    ]
    assert all(a.reviewer == "anonymous" and a.at for a in answers)


def test_nothing_changed_is_refused(client, out):
    shown = rows(client, project=PID)["rows"][0]
    values = {"level2_final": shown["level2_final"]}
    response = post(client, csrf_of(client), doc=DOC, project_id=PID, seq=1, action="correct", values=values)
    assert response.status_code == 400
    assert "nothing changed" in response.get_json()["error"]
    assert not (out / "corrections.csv").exists()


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"action": "correct", "values": {"level2_final": "数量"}}, 400, "must be one of"),
        ({"action": "correct", "values": {"annual_number": "lots"}}, 400, "must be a number"),
        ({"action": "correct", "values": {"flags": ""}}, 400, "cannot be corrected"),
        ({"action": "delete"}, 400, "unknown action"),
        ({"action": "accept", "seq": 999}, 404, "no indicator"),
        ({"action": "accept", "seq": "one"}, 400, "invalid literal"),
    ],
)
def test_bad_answers_are_refused_and_not_written(client, out, body, status, says):
    response = post(client, csrf_of(client), **{"doc": DOC, "project_id": PID, "seq": 1, **body})
    assert response.status_code == status
    assert says in response.get_json()["error"]
    assert not (out / "corrections.csv").exists()


def test_drop_and_undo(client, out):
    token = csrf_of(client)
    dropped = post(client, token, doc=DOC, project_id=PID, seq=2, action="drop").get_json()["row"]
    assert dropped["status"] == "dropped"
    assert rows(client, status="dropped")["total"] == 1
    undone = post(client, token, doc=DOC, project_id=PID, seq=2, action="undrop").get_json()["row"]
    assert undone["status"] == "reviewed"
    answers, _ = corr.read(out / "corrections.csv")
    assert [(a.field, a.value) for a in answers] == [("drop", "yes"), ("drop", "no")]


def test_answers_survive_a_restart(out):
    first = create_app(Store(out)).test_client()
    post(
        first, csrf_of(first), doc=DOC, project_id=PID, seq=1, action="correct", values={"name_kind": "count"}
    )
    again = create_app(Store(out)).test_client()
    row = rows(again, project=PID)["rows"][0]
    assert (row["name_kind"], row["status"], row["answered"]) == ("count", "reviewed", ["name_kind"])


# ---------------------------------------------------------------- safety


def test_writes_need_the_csrf_token(client, out):
    assert post(client, None, doc=DOC, project_id=PID, seq=1, action="accept").status_code == 403
    assert post(client, "forged", doc=DOC, project_id=PID, seq=1, action="accept").status_code == 403
    form = client.post("/api/answer", data={"doc": DOC, "project_id": PID, "seq": 1, "action": "accept"})
    assert form.status_code == 403
    assert not (out / "corrections.csv").exists()


def test_non_json_body_is_refused(client):
    response = client.post("/api/answer", data="accept", headers={"X-CSRF-Token": csrf_of(client)})
    assert response.status_code == 400


def test_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "10.0.0.5:8765"])
def test_loopback_server_refuses_other_host_headers(client, host):
    """A page on another site that rebinds its name to 127.0.0.1 cannot read or write (DNS rebinding)."""
    assert client.get("/", headers={"Host": host}).status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost"])
def test_loopback_host_headers_are_served(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200


def test_other_host_needs_the_token(out):
    client = create_app(Store(out), token="s3cret", loopback_only=False).test_client()
    assert client.get("/", headers={"Host": "10.0.0.5:8765"}).status_code == 403
    assert client.get("/api/rows").status_code == 403
    assert client.get("/?token=wrong").status_code == 403
    response = client.get("/next?token=s3cret&flag=vague")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/next?flag=vague")  # the token leaves the address
    assert TOKEN_COOKIE in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert client.get("/next?flag=vague").status_code == 200  # the cookie now carries it


@pytest.mark.parametrize(
    "path",
    [
        "/static/../store.py",
        "/static/..%2fstore.py",
        "/static/review.py",
        "/static/%2e%2e/%2e%2e/corrections.py",
        "/indicators.csv",
        "/report.json",
        "/corrections.csv",
        "/etc/passwd",
    ],
)
def test_no_file_is_served_by_path(client, path):
    assert client.get(path).status_code == 404


def test_the_script_and_style_are_served(client):
    js = client.get("/static/review.js")
    assert js.status_code == 200 and js.mimetype == "text/javascript"
    assert b"innerHTML" not in js.data  # text is written with textContent only
    assert client.get("/static/review.css").mimetype == "text/css"


@pytest.fixture
def hostile(seeds_out, tmp_path) -> Path:
    """The seeds' tables with document text that is HTML: a script in the name, an img in the raw text."""
    out = Path(shutil.copytree(seeds_out, tmp_path / "hostile"))
    table = pd.read_parquet(out / "indicators.parquet")
    first = table.index[(table["project_id"] == PID) & (table["seq"] == 1)][0]
    table.loc[first, "name"] = SCRIPT
    table.loc[first, "raw"] = '<img src=x onerror="window.__pwned=2">'
    table.loc[first, "annual_unit"] = '"><b>x</b>'
    table.to_parquet(out / "indicators.parquet", index=False)
    projects = pd.read_parquet(out / "projects.parquet")
    projects.loc[projects["project_id"] == PID, "project"] = "</title><script>window.__pwned=3</script>"
    projects.to_parquet(out / "projects.parquet", index=False)
    return out


@pytest.mark.parametrize("path", ["/", f"/project/{PID}", "/next"])
def test_document_text_is_escaped(hostile, path):
    client = create_app(Store(hostile)).test_client()
    page = client.get(path, query_string={"per_page": 200}).get_data(as_text=True)
    assert "<script>window.__pwned" not in page
    assert "<img src=x" not in page
    assert "<b>x</b>" not in page
    if path != "/next":  # the row may sit on a later page of the queue
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
        assert "&lt;img src=x onerror=&#34;window.__pwned=2&#34;&gt;" in page


def test_missing_tables_are_an_error(tmp_path):
    with pytest.raises(TableError, match="no indicators table"):
        Store(tmp_path)


def test_cli_review_on_a_folder_without_tables(tmp_path):
    result = CliRunner().invoke(cli, ["review", str(tmp_path)])
    assert result.exit_code == 1
    assert "no indicators table" in result.stderr


def test_origin_shows_sheet_and_cell_where_known(seeds_out, tmp_path):
    out = Path(shutil.copytree(seeds_out, tmp_path / "sheets"))
    table = pd.read_parquet(out / "indicators.parquet")
    table["sheet"], table["cell"] = "", ""
    first = table.index[(table["project_id"] == PID) & (table["seq"] == 1)][0]
    table.loc[first, ["sheet", "cell"]] = ["绩效目标表", "G12"]
    table.to_parquet(out / "indicators.parquet", index=False)
    client = create_app(Store(out)).test_client()
    page = client.get("/", query_string={"project": PID}).get_data(as_text=True)
    assert "<small>绩效目标表!G12</small>" in page
    assert rows(client, project=PID)["rows"][0]["cell"] == "G12"


def test_cli_review_off_loopback_prints_a_token(seeds_out, monkeypatch):
    served = {}
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda host, port, app, **kw: served.update(app=app))
    result = CliRunner().invoke(cli, ["review", str(seeds_out), "--host", "0.0.0.0", "--port", "9999"])
    assert result.exit_code == 0, result.output
    token = re.search(r"open http://0\.0\.0\.0:9999/\?token=(\S+)", result.stdout)[1]
    client = served["app"].test_client()
    assert client.get("/", headers={"Host": "10.0.0.5:9999"}).status_code == 403
    assert client.get(f"/?token={token}", headers={"Host": "10.0.0.5:9999"}).status_code == 302


def test_cli_review_on_loopback_needs_no_token(seeds_out, monkeypatch):
    served = {}
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda host, port, app, **kw: served.update(host=host))
    result = CliRunner().invoke(cli, ["review", str(seeds_out)])
    assert result.exit_code == 0, result.output
    assert served["host"] == "127.0.0.1"
    assert "open http://127.0.0.1:8765/ " in result.stdout and "token" not in result.stdout
