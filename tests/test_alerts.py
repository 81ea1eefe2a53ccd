"""Alerts: rules, replayed candidates, CAP/Atom/JSON, sinks against real local receivers, outbox."""

from __future__ import annotations

import json
import socket
import time

import pytest
from alert_receivers import WebhookReceiver
from click.testing import CliRunner
from lxml import etree

import incidentwire
from incidentwire import alerts
from incidentwire.alerts.formats import ATOM_NS, CAP_NS, COLLECTION_NS
from incidentwire.cli import main
from incidentwire.errors import AlertError


def _by_kind(found, kind):
    return [a for a in found if a.kind == kind]


def _almaty_2016(found):
    return next(a for a in _by_kind(found, "new_incident")
                if a.region and a.region["name"] == "Almaty" and a.fields["date"]["value"] == "2016-07-18")


def test_default_rules_fire_new_update_and_level_for_the_seeds(seeds_db):
    found = alerts.evaluate(seeds_db.store)
    first = _almaty_2016(found)
    assert first.fields["killed"]["best"] == 4 and first.references == []
    update = next(a for a in _by_kind(found, "toll_revised") if a.incident_id == first.incident_id)
    assert update.fields["killed"]["best"] == 6 and update.previous == 4
    assert update.references == [{"id": first.id, "sent": first.sent}]
    assert "risen from five to six" in update.evidence["quote"]
    # one new-incident alert per incident, never a second one for a revised toll
    new_ids = [a.incident_id for a in _by_kind(found, "new_incident")]
    assert len(new_ids) == len(set(new_ids)) == len(seeds_db.store.incidents())
    level = next(a for a in _by_kind(found, "level_change") if a.region["name"] == "Almaty")
    assert level.fields["level"] == "red" and level.fields["scale"] == "KZ" and level.previous is None
    assert found.index(first) < found.index(level) and found.index(first) < found.index(update)
    # evaluating twice gives the same ids: they are the idempotency keys
    assert [a.id for a in alerts.evaluate(seeds_db.store)] == [a.id for a in found]


def test_every_alert_renders_as_valid_cap_and_an_invalid_one_is_refused(seeds_db):
    found = alerts.evaluate(seeds_db.store)
    for alert in found:
        doc = etree.fromstring(alerts.to_cap(alert))          # to_cap validates, this re-checks
        alerts.validate_cap(doc)
        assert doc.findtext(f"{{{CAP_NS}}}identifier") == alert.id
    update = _by_kind(found, "toll_revised")[0]
    doc = etree.fromstring(alerts.to_cap(update, sender="ops@example.org"))
    assert doc.findtext(f"{{{CAP_NS}}}msgType") == "Update"
    assert doc.findtext(f"{{{CAP_NS}}}references").startswith(f"ops@example.org,{update.references[0]['id']},")
    doc.find(f"{{{CAP_NS}}}status").text = "Rumour"
    with pytest.raises(AlertError, match="not valid CAP 1.2"):
        alerts.validate_cap(doc)


def test_cli_alerts_writes_cap_atom_and_json(seeds_db, tmp_path):
    db = str(seeds_db.store.url).removeprefix("sqlite:///")
    runner = CliRunner()
    outputs = {}
    for fmt in ("cap", "atom", "json"):
        out = tmp_path / f"alerts.{fmt}"
        result = runner.invoke(main, ["--db", db, "alerts", "--format", fmt, "--output", str(out)])
        assert result.exit_code == 0, result.output
        outputs[fmt] = out.read_bytes()
    listed = json.loads(outputs["json"])
    cap = etree.fromstring(outputs["cap"])
    assert cap.tag == f"{{{COLLECTION_NS}}}alerts" and len(cap) == len(listed) == int(cap.get("count"))
    for el in cap:
        alerts.validate_cap(el)
    atom = etree.fromstring(outputs["atom"])
    entries = atom.findall(f"{{{ATOM_NS}}}entry")
    assert len(entries) == len(listed)
    assert entries[0].findtext(f"{{{ATOM_NS}}}id") == f"urn:incidentwire:alert:{listed[-1]['id']}"


def test_rules_file_routes_alerts_to_sinks(seeds_db, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("""
[sinks.files]
type = "cap"
dir = "x"

[[rules]]
name = "deadly"
type = "killed_at_least"
killed = 5
sinks = ["files"]

[[rules]]
name = "jund"
type = "group_named"
groups = ["khilafah"]

[[rules]]
name = "almaty-bombings"
type = "attack_type"
attack_types = ["bombing_explosion"]
region = "Almaty"
""")
    config = alerts.load_config(rules)
    found = config.route(alerts.evaluate(seeds_db.store, config))
    by_rule = {name: [a for a in found if name in a.rules] for name in ("deadly", "jund", "almaty-bombings")}
    # the 2016 Almaty toll reaches 5 only at its revision to 6: that alert, not the first report
    assert any(a.kind == "toll_revised" and a.fields["killed"]["best"] == 6 for a in by_rule["deadly"])
    assert all(a.fields["killed"]["best"] >= 5 for a in by_rule["deadly"])
    assert all(a.sinks == ["files"] for a in by_rule["deadly"])
    assert by_rule["jund"] and all(any("Khilafah" in p for p in a.fields["perpetrators"]) for a in by_rule["jund"])
    assert by_rule["almaty-bombings"] == []


@pytest.mark.parametrize("text, message", [
    ("[[rules]]\ntype = 'nope'\n", "unknown type 'nope'"),
    ("[[rules]]\ntype = 'new_incident'\nsinks = ['missing']\n", "not defined under \\[sinks\\]"),
    ("[[rules]]\ntype = 'killed_at_least'\n", "needs an integer 'killed'"),
    ("[sinks.x]\nurl = 'http://127.0.0.1:1'\n", "needs a 'type'"),
    ("[rules\n", "not valid TOML"),
    ("[bogus]\n", "unknown section"),
])
def test_bad_rules_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "rules.toml"
    path.write_text(text)
    with pytest.raises(AlertError, match=message):
        alerts.load_config(path)


def _alerts_db(tmp_path, seeds_db, sink_settings: dict):
    """A fresh database with the seeds' alerts recorded for one sink named 'out'."""
    db = incidentwire.open(tmp_path / "alerts.db")
    config = alerts.AlertConfig(rules=[alerts.Rule("all", "new_incident", sinks=["out"])],
                                sinks={"out": sink_settings})
    new = alerts.record(db.store, alerts.evaluate(seeds_db.store, config)[:3])
    return db, config, new


def test_webhook_retries_with_backoff_then_delivers_signed_and_once(tmp_path, seeds_db):
    with WebhookReceiver(fail_first=2) as receiver:
        db, config, new = _alerts_db(tmp_path, seeds_db, {"type": "webhook", "url": receiver.url,
                                                          "secret": "s3cret", "backoff_s": 0.05})
        sinks = alerts.build_sinks(config.sinks)
        deadline = time.time() + 10
        while alerts.outbox_rows(db.store, "pending") and time.time() < deadline:
            alerts.deliver_due(db.store, sinks)
            time.sleep(0.02)
        rows = alerts.outbox_rows(db.store)
        assert [r["state"] for r in rows] == ["delivered"] * 3
        assert all(r["attempts"] == 3 and "HTTP 500" in r["last_error"] for r in rows)
        assert receiver.keys() == [a.id for a in new] * 3              # each failed twice, then acknowledged
        first = [r["at"] for r in receiver.requests if r["key"] == new[0].id]
        assert first[1] - first[0] >= 0.05 and first[2] - first[1] >= 0.1   # backoff doubles
        assert sorted(receiver.accepted) == sorted(a.id for a in new)
        assert all(r["signed"] for r in receiver.requests)
        alerts.deliver_due(db.store, sinks)
        assert len(receiver.requests) == 9                             # nothing acknowledged is sent again
        # recording the same alerts again adds nothing to the outbox
        assert alerts.record(db.store, new) == []


def test_webhook_dead_letters_after_max_attempts(tmp_path, seeds_db):
    with WebhookReceiver(fail_first=100) as receiver:
        db, config, new = _alerts_db(tmp_path, seeds_db, {"type": "webhook", "url": receiver.url,
                                                          "max_attempts": 2, "backoff_s": 0.01})
        sinks = alerts.build_sinks(config.sinks)
        for _ in range(50):
            alerts.deliver_due(db.store, sinks)
            if not alerts.outbox_rows(db.store, "pending"):
                break
            time.sleep(0.02)
        dead = alerts.outbox_rows(db.store, "dead")
        assert len(dead) == 3 and all(r["attempts"] == 2 and "after 2 attempts" in r["last_error"] for r in dead)
        assert alerts.requeue_dead(db.store) == 3
        assert len(alerts.outbox_rows(db.store, "pending")) == 3


def test_smtp_sink_mails_through_a_real_local_server(tmp_path, seeds_db):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:            # aiosmtpd's Controller cannot take port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        db, config, new = _alerts_db(tmp_path, seeds_db, {"type": "smtp", "host": "127.0.0.1", "port": port,
                                                          "from": "alerts@example.org", "to": ["ops@example.org"]})
        counts = alerts.deliver_due(db.store, alerts.build_sinks(config.sinks))
    finally:
        controller.stop()
    assert counts["delivered"] == 3 and len(received) == 3
    assert " ".join(received[0]["Subject"].split()) == f"[incidentwire] {new[0].headline}"  # unfolded
    assert received[0]["Message-ID"].startswith("<inc-")
    assert new[0].description in received[0].get_payload()


def test_file_sinks_write_cap_files_and_an_atom_feed(tmp_path, seeds_db):
    db = incidentwire.open(tmp_path / "files.db")
    config = alerts.AlertConfig(sinks={"cap": {"type": "cap", "dir": str(tmp_path / "cap")},
                                       "feed": {"type": "atom", "path": str(tmp_path / "feed.xml"), "max_entries": 2}},
                                rules=[alerts.Rule("all", "new_incident", sinks=["cap", "feed"])])
    new = alerts.record(db.store, alerts.evaluate(seeds_db.store, config))
    alerts.deliver_due(db.store, alerts.build_sinks(config.sinks))
    files = sorted((tmp_path / "cap").glob("*.xml"))
    assert len(files) == len(new)
    for f in files:
        alerts.validate_cap(etree.parse(str(f)).getroot())
    entries = etree.parse(str(tmp_path / "feed.xml")).getroot().findall(f"{{{ATOM_NS}}}entry")
    assert [e.findtext(f"{{{ATOM_NS}}}id") for e in entries] == [f"urn:incidentwire:alert:{a.id}" for a in new[::-1][:2]]
    feed = etree.fromstring(alerts.feed_for_store(db.store, limit=3).encode())
    assert len(feed.findall(f"{{{ATOM_NS}}}entry")) == 3


def test_example_rules_file_loads_and_builds_its_sinks(monkeypatch):
    from conftest import ROOT
    config = alerts.load_config(ROOT / "examples" / "alerts.toml")
    assert {r.type for r in config.rules} == {"new_incident", "toll_revised", "killed_at_least", "level_change"}
    with pytest.raises(AlertError, match="OPS_HOOK_SECRET is not set"):
        alerts.build_sinks(config.sinks)
    monkeypatch.setenv("OPS_HOOK_SECRET", "x")
    sinks = alerts.build_sinks(config.sinks, config.sender)
    assert sorted(sinks) == ["cap-files", "feed", "ops-hook"] and sinks["ops-hook"].max_attempts == 8
    for sink in sinks.values():
        sink.close()


def test_rest_api_serves_levels_and_alerts_as_json_atom_and_cap(seeds_db, tmp_path):
    import httpx
    from web_helpers import serve_db
    path = str(seeds_db.store.url).removeprefix("sqlite:///")
    server, _ = serve_db(path)
    with server, httpx.Client(base_url=server.url, timeout=60) as client:
        levels = client.get("/api/levels", params={"region": "Almaty"}).json()
        assert {c["value"]["level"] for c in levels["official"]} == {"red"} and levels["computed"]
        listed = client.get("/api/alerts").json()
        assert any(a["kind"] == "toll_revised" for a in listed)
        atom = client.get("/api/alerts", params={"format": "atom"})
        assert atom.headers["content-type"].startswith("application/atom+xml")
        assert len(etree.fromstring(atom.content).findall(f"{{{ATOM_NS}}}entry")) == len(listed)
        for el in etree.fromstring(client.get("/api/alerts", params={"format": "cap"}).content):
            alerts.validate_cap(el)
        assert client.get("/api/alerts", params={"format": "rss"}).status_code == 400


def test_outbox_levels_and_watch_state_on_each_backend(store_url, tmp_path):
    from conftest import SEEDS, SEEDS_META

    from incidentwire.watch import Watcher
    db = incidentwire.open(store_url)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("000_32da9743b0b42fa3.txt", "002_a1dee8471ddf40bb.txt"):
        (inbox / name).write_bytes((SEEDS / name).read_bytes())
    out = tmp_path / "alerts.jsonl"
    config = alerts.AlertConfig(sinks={"log": {"type": "jsonl", "path": str(out)}},
                                rules=[alerts.Rule(r.name, r.type, sinks=["log"]) for r in alerts.DEFAULT_RULES])
    watcher = Watcher(db.store, [inbox], config, metadata=SEEDS_META)
    watcher.poll()
    watcher.poll()                                        # files stable for one poll: ingested
    assert len(db.store.article_ids()) == 2 and watcher.ready_files() == []
    kinds = [json.loads(line)["kind"] for line in out.read_text().splitlines()]
    assert {"new_incident", "toll_revised", "level_change"} <= set(kinds)
    assert {r["state"] for r in alerts.outbox_rows(db.store)} == {"delivered"}
    assert alerts.record(db.store, alerts.evaluate(db.store, config)) == []     # nothing twice
    assert [c.value["level"] for c in db.threat_levels("Almaty")] == ["red"]


def test_yaml_rules_file_reads_like_toml(tmp_path, seeds_db):
    path = tmp_path / "rules.yaml"
    path.write_text("sinks:\n  feed: {type: atom, path: feed.xml}\n"
                    "rules:\n  - {name: deadly, type: killed_at_least, killed: 5, sinks: [feed]}\n")
    config = alerts.load_config(path)
    assert [(r.name, r.type, r.killed, r.sinks) for r in config.rules] == [("deadly", "killed_at_least", 5, ["feed"])]
    found = alerts.evaluate(seeds_db.store, config)
    assert found and all(a.fields["killed"]["best"] >= 5 and a.sinks == ["feed"] for a in found)
    path.write_text("rules: [\n")
    with pytest.raises(AlertError, match="not valid YAML"):
        alerts.load_config(path)


def test_an_analyst_raising_the_toll_is_an_update_too(tmp_path):
    from conftest import SEEDS, SEEDS_META
    db = incidentwire.open(tmp_path / "review.db")
    db.ingest([SEEDS / "000_32da9743b0b42fa3.txt"], metadata=SEEDS_META)
    first = _almaty_2016(alerts.evaluate(db.store))
    db.edit(first.incident_id, "killed", 6, "ana", note="ministry update, 19 July")
    update = next(a for a in alerts.evaluate(db.store) if a.kind == "toll_revised")
    assert (update.incident_id, update.fields["killed"]["best"], update.previous) == (first.incident_id, 6, 4)
    assert update.references == [{"id": first.id, "sent": first.sent}]
    assert update.evidence["article_id"] == "analyst:ana" and update.evidence["quote"] == "ministry update, 19 July"
    alerts.validate_cap(etree.fromstring(alerts.to_cap(update)))


def test_cli_outbox_lists_dead_letters_and_requeues_them(tmp_path, seeds_db):
    db, config, new = _alerts_db(tmp_path, seeds_db, {"type": "webhook", "url": "http://127.0.0.1:9/none",
                                                      "max_attempts": 1})
    alerts.deliver_due(db.store, alerts.build_sinks(config.sinks))     # nothing listens on port 9
    path = str(tmp_path / "alerts.db")
    dead = CliRunner().invoke(main, ["--db", path, "outbox", "--state", "dead"])
    assert dead.exit_code == 0 and dead.output.count("dead") >= 3 and "ConnectError" in dead.output
    again = CliRunner().invoke(main, ["--db", path, "outbox", "--requeue-dead", "--state", "pending"])
    assert again.exit_code == 0 and "3 deliveries" in again.output
