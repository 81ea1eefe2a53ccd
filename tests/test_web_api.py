"""The REST API against a real uvicorn server on 127.0.0.1 over a real SQLite file: reads,
filters and paging, JSON errors, token-protected writes, upload limits, CSRF on form posts,
tokens kept out of the logs."""

from __future__ import annotations

import csv
import io
import json
import logging
import re

import httpx
import pytest
from web_helpers import copy_db, serve_db

UPLOAD_LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def site(web_sample_db, tmp_path_factory):
    server, db = serve_db(copy_db(web_sample_db, tmp_path_factory.mktemp("api") / "api.db"),
                          max_upload_bytes=UPLOAD_LIMIT)
    token = db.create_token("api-tester")
    with server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield client, db, token


def test_health_and_stats(site):
    client, db, _ = site
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["counts"]["incidents"] == len(db.incidents())
    stats = client.get("/api/stats").json()
    assert sum(r["incidents"] for r in stats["by_country"]) == len(db.incidents())
    france = client.get("/api/stats", params={"country": "France"}).json()
    assert [r["country"] for r in france["by_country"]] == ["France"]


def test_list_filters_and_paging(site):
    client, db, _ = site
    everything = client.get("/api/incidents", params={"per_page": 1000}).json()
    assert everything["total"] == len(db.incidents()) == len(everything["items"])
    france = client.get("/api/incidents", params={"country": "France"}).json()
    assert france["total"] == 2 and {i["location"]["country"] for i in france["items"]} == {"France"}
    big = client.get("/api/incidents", params={"min_killed": 50}).json()["items"]
    assert big and all(i["killed"]["best"] >= 50 for i in big)
    page = client.get("/api/incidents", params={"per_page": 3, "page": 2}).json()
    assert [i["id"] for i in page["items"]] == [i["id"] for i in everything["items"][3:6]] and page["has_more"]
    by_type = client.get("/api/incidents", params={"attack_type": "bombing_explosion,armed_assault"}).json()
    assert by_type["total"] and {i["attack_type"] for i in by_type["items"]} <= {"bombing_explosion", "armed_assault"}
    near = client.get("/api/incidents", params={"near": "53.48,-2.24,30"}).json()["items"]
    assert near and {i["location"]["name"] for i in near} <= {"Manchester", "Fallowfield"}
    bad = client.get("/api/incidents", params={"bbox": "1,2,3"})
    assert bad.status_code == 400 and "bbox" in bad.json()["error"]["message"]
    found = client.get("/api/incidents", params={"q": "Quetta"}).json()
    assert [i["location"]["name"] for i in found["items"]] == ["Quetta"]
    search = client.get("/api/search", params={"q": "Quetta"}).json()
    assert [i["id"] for i in search["items"]] == [i["id"] for i in found["items"]]


def test_incident_detail_has_claims_with_evidence_history_and_sources(site):
    client, db, _ = site
    inc = next(i for i in db.incidents() if (i.fields.get("location") or {}).get("name") == "Manchester")
    body = client.get(f"/api/incidents/{inc.id}").json()
    assert body["killed"] == inc.fields["killed"] and len(body["toll_history"]) >= 3
    texts = {a: client.get(f"/api/articles/{a}").json()["clean_text"] for a in body["articles"]}
    claims = [c for m in body["mentions"] for c in m["claims"]]
    assert claims and all(texts[c["article_id"]][c["start"]:c["end"]] == c["quote"] for c in claims if c["end"])
    publishers = {s["article_id"]: s["publisher"] for s in body["sources_detail"]}
    assert publishers["manchester-meridian-1"] == "Meridian Wire"


def test_article_has_text_raw_and_metadata_and_unsafe_urls_are_not_links(site):
    client, db, _ = site
    art = client.get("/api/articles/xss-market").json()
    assert "<script>" in art["raw_text"] and art["published"] == "2024-03-05"
    inc = next(i for i in db.incidents() if "xss-market" in i.to_dict()["articles"])
    [source] = [s for s in client.get(f"/api/incidents/{inc.id}").json()["sources_detail"]
                if s["article_id"] == "xss-market"]
    assert source["url"].startswith("javascript:") and source["safe_url"] is None


def test_exports(site):
    client, db, _ = site
    assert len(client.get("/api/export", params={"format": "json"}).json()) == len(db.incidents())
    assert len(client.get("/api/export", params={"format": "json", "country": "France"}).json()) == 2
    geo = client.get("/api/export", params={"format": "geojson"})
    assert geo.headers["content-type"].startswith("application/geo+json") and geo.json()["features"]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export", params={"format": "csv"}).text)))
    assert len(rows) == len(db.incidents())
    lines = client.get("/api/export", params={"format": "eval-jsonl"}).text.splitlines()
    assert all(json.loads(line) for line in lines)
    bad = client.get("/api/export", params={"format": "xlsx"})
    assert bad.status_code == 400 and "xlsx" in bad.json()["error"]["message"]


def test_errors_are_json_with_status_codes(site):
    client, _, _ = site
    missing = client.get("/api/incidents/inc-999999")
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "NotFoundError"
    invalid = client.get("/api/incidents", params={"per_page": 0})
    assert invalid.status_code == 422 and "per_page" in invalid.json()["error"]["message"]
    assert client.get("/api/nothing-here").json()["error"]["status"] == 404


def test_writes_need_a_token_in_the_header(site):
    client, db, token = site
    inc = db.incidents()[0]
    body = {"field": "killed", "value": "3"}
    assert client.post(f"/api/incidents/{inc.id}/edit", json=body).status_code == 401
    wrong = client.post(f"/api/incidents/{inc.id}/edit", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    cookie_only = httpx.post(f"{client.base_url}/api/incidents/{inc.id}/edit", json=body,
                             cookies={"iw_session": token})
    assert cookie_only.status_code == 401      # a cookie could be forged cross-site: header only
    auth = {"Authorization": f"Bearer {token}"}
    entry = client.post(f"/api/incidents/{inc.id}/edit", json=body, headers=auth).json()
    assert entry["who"] == "api-tester" and client.get(f"/api/incidents/{inc.id}").json()["killed"]["best"] == 3
    bad = client.post(f"/api/incidents/{inc.id}/edit", json={"field": "killed", "value": "lots"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["error"]["type"] == "ReviewError"
    undone = client.post(f"/api/audit/{entry['id']}/undo", headers=auth).json()
    assert undone["undoes"] == entry["id"]
    again = client.post(f"/api/audit/{entry['id']}/undo", headers=auth)
    assert again.status_code == 409
    assert client.get(f"/api/incidents/{inc.id}/audit").json()[-1]["action"] == "undo"


def test_split_merge_and_reviewed_over_the_api(site):
    client, db, token = site
    auth = {"Authorization": f"Bearer {token}"}
    inc = next(i for i in db.incidents() if (i.fields.get("location") or {}).get("name") == "Manchester")
    split = client.post(f"/api/incidents/{inc.id}/split", json={"article_ids": ["manchester-atlas-1"]}, headers=auth)
    new_id = split.json()["detail"]["new"]
    assert split.status_code == 200 and client.get(f"/api/incidents/{new_id}").json()["articles"] == ["manchester-atlas-1"]
    merged = client.post(f"/api/incidents/{inc.id}/merge", json={"other": new_id}, headers=auth).json()
    gone = client.get(f"/api/incidents/{new_id}")  # merged away: says where it went
    assert gone.status_code == 308 and gone.headers["location"] == f"/api/incidents/{inc.id}"
    reviewed = client.post(f"/api/incidents/{inc.id}/reviewed", json={"note": "ok"}, headers=auth).json()
    assert client.get("/api/incidents", params={"reviewed": "true"}).json()["items"][0]["id"] == inc.id
    trail = client.get(f"/api/incidents/{inc.id}").json()["audit"]
    assert [e["id"] for e in trail][-3:] == [split.json()["id"], merged["id"], reviewed["id"]]
    empty = client.post(f"/api/incidents/{inc.id}/split", json={"article_ids": []}, headers=auth)
    assert empty.status_code == 422
    for entry in (reviewed, merged, split.json()):
        assert client.post(f"/api/audit/{entry['id']}/undo", headers=auth).status_code == 200
    assert sorted(client.get(f"/api/incidents/{inc.id}").json()["articles"]) == sorted(inc.to_dict()["articles"])


def test_upload_ingests_and_is_size_limited(site):
    client, db, token = site
    auth = {"Authorization": f"Bearer {token}"}
    story = ("A car bomb exploded in Mogadishu, Somalia, on Sunday, killing 9 people, police said.\n"
             "Officials said 9 people were killed and 20 wounded in Mogadishu.\n")
    done = client.post("/api/ingest", files=[("files", ("mogadishu-upload.txt", story.encode(), "text/plain"))],
                       headers=auth)
    assert done.status_code == 200 and done.json()["added"] == 1
    assert client.get("/api/articles/mogadishu-upload").json()["clean_text"].startswith("A car bomb")
    too_big = client.post("/api/ingest", files=[("files", ("big.txt", b"x" * (UPLOAD_LIMIT + 1), "text/plain"))],
                          headers=auth)
    assert too_big.status_code == 413 and too_big.json()["error"]["type"] == "PayloadTooLarge"
    wrong_kind = client.post("/api/ingest", files=[("files", ("tool.exe", b"MZ", "application/octet-stream"))],
                             headers=auth)
    assert wrong_kind.status_code == 400 and ".txt" in wrong_kind.json()["error"]["message"]
    assert client.post("/api/ingest", files=[("files", ("a.txt", b"x", "text/plain"))]).status_code == 401


def test_form_posts_need_the_csrf_token_and_a_session(site):
    client, db, token = site
    inc = db.incidents()[0]
    anonymous = httpx.Client(base_url=str(client.base_url), timeout=60)
    login_page = anonymous.get("/login").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', login_page).group(1)
    assert anonymous.post("/login", data={"token": token}).status_code == 403          # no CSRF token
    signed_in = anonymous.post("/login", data={"token": token, "csrf": csrf})
    assert signed_in.status_code == 303 and anonymous.cookies.get("iw_session") == token
    cookie_header = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie_header and "samesite=strict" in cookie_header
    page = anonymous.get(f"/incidents/{inc.id}").text
    session_csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    assert session_csrf != csrf                       # bound to the session
    forged = anonymous.post(f"/incidents/{inc.id}/reviewed", data={"csrf": csrf})
    assert forged.status_code == 403 and "CSRF" in forged.text
    ok = anonymous.post(f"/incidents/{inc.id}/reviewed", data={"csrf": session_csrf})
    assert ok.status_code == 303 and db.incident(inc.id).fields["review"]["by"] == "api-tester"
    assert "Content-Security-Policy" in anonymous.get("/").headers


def test_tokens_never_reach_the_logs(site, caplog):
    client, db, token = site
    caplog.set_level(logging.INFO)
    client.get("/api/incidents", headers={"Authorization": f"Bearer {token}"})
    client.post(f"/api/incidents/{db.incidents()[0].id}/reviewed", headers={"Authorization": f"Bearer {token}"})
    client.post("/login", data={"token": token, "csrf": "x"})
    messages = [r.getMessage() for r in caplog.records]
    assert any("/api/incidents" in m for m in messages)     # the access log is on
    assert not any(token in m for m in messages)


def test_reads_can_require_a_token(web_sample_db, tmp_path):
    server, db = serve_db(copy_db(web_sample_db, tmp_path / "closed.db"), protect_reads=True)
    token = db.create_token("reader")
    with server, httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.get("/api/health").status_code == 200
        denied = client.get("/api/incidents")
        assert denied.status_code == 401 and "token" in denied.json()["error"]["message"]
        assert client.get("/").status_code == 401
        assert client.get("/api/incidents", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        with httpx.Client(base_url=server.url, timeout=60, cookies={"iw_session": token}) as browser:
            assert browser.get("/").status_code == 200


def test_serve_with_two_workers_shares_the_csrf_secret(web_sample_db, tmp_path):
    """`incidentwire serve --workers 2` as a user runs it: forms shown by one worker post to any."""
    import subprocess
    import sys
    import time

    from web_helpers import free_port
    path = copy_db(web_sample_db, tmp_path / "workers.db")
    token = incidentwire_token(path)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "incidentwire.cli", "--db", str(path), "serve", "--port", str(port),
                             "--workers", "2", "--log-level", "warning"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                if proc.poll() is not None:  # say why (a port taken between free_port() and bind?)
                    raise AssertionError(f"server exited {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
                assert time.monotonic() < deadline, "server did not answer /api/health within 60 s"
                time.sleep(0.2)
        for _ in range(6):       # a fresh connection each time lands on either worker
            page = httpx.get(f"{url}/api/incidents", headers={"Authorization": f"Bearer {token}"}).json()
            inc = page["items"][0]["id"]
            form = httpx.get(f"{url}/incidents/{inc}", cookies={"iw_session": token}).text
            csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form).group(1)
            done = httpx.post(f"{url}/incidents/{inc}/reviewed", data={"csrf": csrf}, cookies={"iw_session": token})
            assert done.status_code == 303
    finally:
        proc.terminate()
        proc.wait(20)


def incidentwire_token(path) -> str:
    import incidentwire
    db = incidentwire.open(path)
    try:
        return db.create_token("worker-tester")
    finally:
        db.store.engine.dispose()


def test_levels_page_shows_official_and_computed_levels_with_evidence(site):
    client, db, _ = site
    official, activity = db.threat_levels(), db.activity_levels()
    assert official and activity, "the sample news states official levels and has placed incidents"
    page = client.get("/levels")
    assert page.status_code == 200
    rows = re.findall(r'<tr class="level-(\w+)">', page.text)
    assert sorted(rows) == sorted(c.value["level"] for c in official)
    assert all(html_quote in page.text for html_quote in
               (c.quote.replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;") for c in official))
    region = activity[0]["region"]["name"]
    narrowed = client.get("/levels", params={"region": region}).text
    assert region in narrowed and narrowed.count("<tr>") <= page.text.count("<tr>")
