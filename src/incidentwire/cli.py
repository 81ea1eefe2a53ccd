"""The ``incidentwire`` command line: a thin shell over the Python API.

Stable contract (outside evaluation scripts call it exactly so):
    incidentwire --db FILE ingest [--metadata FILE] [--no-relevance-filter] PATH...
    (plus --id-field/--text-field/--title-field/--date-field/--url-field, --max-size MB,
    --retry-quarantine; ``incidentwire quarantine`` lists what ingest refused)
        (optional: [--executor inline|local|dask] [--workers N] [--scheduler tcp://host:8786])
    incidentwire --db FILE export --format eval-jsonl --output FILE
    incidentwire --db FILE alerts [--rules FILE] --format cap|atom|json --output FILE

``--db`` takes a SQLite file or a ``postgresql://user@host/dbname`` URL.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from . import api
from .engine import EXECUTORS, InlineExecutor, make_executor
from .errors import IncidentwireError
from .export import FORMATS
from .reconcile import EVIDENCE_FIELD, FIELD_ORDER
from .store.query import GROUPINGS

# A pipe gets a wide table rather than rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


class _Group(click.Group):
    """Turns every IncidentwireError into a one-line message and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except IncidentwireError as e:
            err.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.option("--db", default="incidentwire.db", show_default=True, envvar="INCIDENTWIRE_DB",
              help="SQLite file (or database URL).")
@click.version_option(package_name="incidentwire")
@click.pass_context
def main(ctx: click.Context, db: str) -> None:
    """Turn news articles into a reconciled, evidence-backed incident database."""
    ctx.obj = db


def _open(ctx: click.Context) -> api.Database:
    return api.open(ctx.obj)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--metadata", type=click.Path(), help="Sidecar JSONL/CSV keyed by doc_id or file "
              "(published, publisher, url, title, author).")
@click.option("--no-relevance-filter", is_flag=True, help="Extract incidents from every article, "
              "even those the relevance stage judges off-topic.")
@click.option("--executor", type=click.Choice(EXECUTORS), default=None,
              help="Where clean/relevance/extract run: inline (this process, the default), local "
              "(worker processes) or dask (a Dask cluster; needs incidentwire[scale]).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes for local, or for the "
              "Dask LocalCluster started when no --scheduler is given (default: all cores).")
@click.option("--scheduler", help="Dask scheduler address (tcp://host:8786); implies --executor dask.")
@click.option("--id-field", help="JSONL/CSV field holding the article id (default: doc_id, id).")
@click.option("--text-field", help="JSONL/CSV field holding the article text (default: text, content, body).")
@click.option("--title-field", help="JSONL/CSV field holding the headline (default: title, headline).")
@click.option("--date-field", help="JSONL/CSV field holding the publication date (default: published, date).")
@click.option("--url-field", help="JSONL/CSV field holding the URL (default: url, link).")
@click.option("--max-size", type=float, default=20, show_default=True,
              help="Quarantine inputs larger than this many megabytes.")
@click.option("--retry-quarantine", is_flag=True, help="Also read again every quarantined file.")
@click.option("--extractor", default="rules", show_default=True, envvar="INCIDENTWIRE_EXTRACTOR",
              help="Extractor plugin: rules, learned (needs the [learned] extra), rules+learned, or none "
              "(clean, judge and store the articles only).")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...], metadata: str | None, no_relevance_filter: bool,
           executor: str | None, workers: int | None, scheduler: str | None,
           id_field, text_field, title_field, date_field, url_field, max_size: float,
           retry_quarantine: bool, extractor: str) -> None:
    """Ingest text/HTML files, JSONL/CSV exports, RSS/Atom feeds, WARC crawls, .gz/.zip
    archives, folders and '-' (stdin), then link and reconcile incidents."""
    if not paths and not retry_quarantine:
        raise click.UsageError("give at least one PATH (or --retry-quarantine)")
    from .ingest import input_files

    db = _open(ctx)
    from .extract.plugins import NO_EXTRACTION

    engine = make_executor(executor or ("dask" if scheduler else "inline"), workers, scheduler,
                           extracting=extractor != NO_EXTRACTION)
    if not isinstance(engine, InlineExecutor):
        err.print(f"per-article stages on {engine.describe()}", highlight=False)
    fields = {k: v for k, v in (("id", id_field), ("text", text_field), ("title", title_field),
                                ("published", date_field), ("url", url_field)) if v}
    total = sum(1 for _ in input_files(paths)) if err.is_terminal else None
    with engine, Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("ingesting", total=total or None)
        last = [None]

        def tick(source: str) -> None:
            if source != last[0]:  # one step per input file (a JSONL file yields many articles)
                last[0] = source
                progress.update(task, advance=1, description=f"ingesting {Path(source).name[:40]}")
        report = db.ingest(list(paths), metadata=metadata, relevance_filter=not no_relevance_filter,
                           on_article=tick, fields=fields, max_bytes=int(max_size * 1024 * 1024),
                           retry_quarantine=retry_quarantine, executor=engine,
                           extractor=extractor)
    for rej in report.rejected[:50]:
        err.print(f"[yellow]quarantined ({rej.kind}):[/yellow] {rej.source}: {rej.reason}", highlight=False, soft_wrap=True)
    if len(report.rejected) > 50:
        err.print(f"... and {len(report.rejected) - 50} more (incidentwire quarantine lists them all)")
    err.print(f"{report.summary()}; {report.timing()}", highlight=False, soft_wrap=True)
    if report.rejected:
        sys.exit(1)


def _filter_options(command):
    """The incident filters, shared by ``incidents``, ``aggregate`` and ``export``."""
    options = [
        click.option("--since", help="Only incidents on or after this date (YYYY[-MM[-DD]])."),
        click.option("--until", help="Only incidents on or before this date."),
        click.option("--country", help="Only incidents in this country (any case)."),
        click.option("--admin1", help="Only incidents in this first-level region."),
        click.option("--city", help="Only incidents in this city or town."),
        click.option("--bbox", type=(float, float, float, float), default=None,
                     metavar="MIN_LON MIN_LAT MAX_LON MAX_LAT", help="Only incidents inside this box."),
        click.option("--near", type=(float, float, float), default=None, metavar="LAT LON KM",
                     help="Only incidents within KM kilometres of LAT LON."),
        click.option("--attack-type", multiple=True, help="Only these attack types (repeatable)."),
        click.option("--weapon", help="Only incidents with a weapon containing this text."),
        click.option("--target", help="Only incidents with a target containing this text."),
        click.option("--perpetrator", help="Only incidents with a perpetrator group containing this text."),
        click.option("--min-killed", type=int, help="Only incidents with at least this many killed."),
        click.option("--min-injured", type=int, help="Only incidents with at least this many injured."),
        click.option("--text", help="Only incidents reported by articles containing all these words."),
        click.option("--min-sources", type=int, help="Only incidents reported by at least this many articles."),
        click.option("--reviewed/--not-reviewed", default=None, help="Only incidents an analyst has (not) reviewed."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _filters(params: dict) -> dict:
    """The filter keyword arguments the user gave (unset ones left out)."""
    out = {k: v for k, v in params.items() if v not in (None, ())}
    if "attack_type" in out:
        out["attack_type"] = list(out["attack_type"])
    return out


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def quarantine(ctx: click.Context, as_json: bool) -> None:
    """List every input refused at ingest, with its reason (retry: ingest --retry-quarantine)."""
    rows = _open(ctx).quarantine()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"{len(rows)} quarantined inputs")
    for col in ("source", "kind", "reason", "at"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["source"], r["kind"] or "", r["reason"], r["at"] or "")
    out.print(table)


@main.command()
@_filter_options
@click.option("--sort", default="-date", show_default=True,
              help="date, killed, injured, sources, country, updated or id; prefix - for descending.")
@click.option("--limit", type=int, help="At most this many incidents.")
@click.option("--offset", type=int, default=0, help="Skip this many incidents first (paging).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def incidents(ctx: click.Context, sort, limit, offset, as_json, **filters) -> None:
    """List incidents as a table, filtered, sorted and paged."""
    found = _open(ctx).incidents(**_filters(filters), sort=sort, limit=limit, offset=offset)
    if as_json:
        click.echo(json.dumps([i.to_dict(with_claims=False) for i in found], indent=2))
        return
    table = Table(title=f"{len(found)} incidents")
    for col in ("id", "date", "place", "type", "killed", "injured", "perpetrators", "sources"):
        table.add_column(col, overflow="fold")
    for inc in found:
        f = inc.fields
        loc = f.get("location") or {}
        table.add_row(inc.id, (f.get("date") or {}).get("value") or "?",
                      ", ".join(x for x in (loc.get("name"), loc.get("country")) if x) or "?",
                      f.get("attack_type") or "", _fmt_count(f.get("killed")), _fmt_count(f.get("injured")),
                      "; ".join(f.get("perpetrators", [])[:3]), str(f.get("sources", "")))
    out.print(table)


@main.command()
@click.option("--by", type=click.Choice(GROUPINGS), default="month", show_default=True)
@_filter_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def aggregate(ctx: click.Context, by: str, as_json: bool, **filters) -> None:
    """Incidents, killed and injured per month, year, country, region, attack type or group."""
    rows = _open(ctx).aggregate(by, **_filters(filters))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"incidents per {by}")
    for col in (rows[0].keys() if rows else (by, "incidents", "killed", "injured")):
        table.add_column(col, justify="right" if col in ("incidents", "killed", "injured") else "left")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    out.print(table)


def _fmt_count(c: dict | None) -> str:
    if not c or c.get("best") is None:
        return "?"
    lo, best, hi = c.get("min"), c["best"], c.get("max")
    if lo == best == hi:
        return str(best)
    return f"{best} ({lo if lo is not None else '?'}-{hi if hi is not None else '+'})"


@main.command()
@click.argument("incident_id")
@click.pass_context
def show(ctx: click.Context, incident_id: str) -> None:
    """Show one incident: every field with the quotes that support it, and its toll history."""
    inc = _open(ctx).incident(incident_id)
    f = inc.fields
    out.print(f"[bold]{inc.id}[/bold]  {f.get('sources')} source(s), "
              f"{f.get('independent_sources', f.get('sources'))} independent")
    for name in FIELD_ORDER:
        conf = (f.get("confidence") or {}).get(name)
        out.print(f"\n[bold]{name}[/bold]: {json.dumps(f.get(name), ensure_ascii=False)}"
                  + (f"  (confidence {conf:.2f})" if conf is not None else ""), highlight=False)
        for m in inc.mentions:
            for c in m.claims:
                if c.field == EVIDENCE_FIELD.get(name, name):
                    out.print(f"   {m.article_id} ({m.published or 'date unknown'}), {c.extractor}, "
                              f"conf {c.confidence:.2f}: [italic]\"{c.quote}\"[/italic] [{c.start}:{c.end}]",
                              highlight=False, markup=True, soft_wrap=True)
    out.print("\n[bold]toll history[/bold] (killed, by publication time):")
    for row in f.get("toll_history", []):
        flag = " (update)" if row["update"] else ""
        out.print(f"   {row['published'] or '?'}  {row['article_id']}: {row['killed']}{flag}  \"{row['quote']}\"",
                  highlight=False, soft_wrap=True)
    for conflict in f.get("conflicts", []):
        said = "; ".join(f"{v} ({', '.join(arts)})" for v, arts in conflict["values"].items())
        out.print(f"[yellow]conflict[/yellow] on {conflict['field']}: {said}", highlight=False, soft_wrap=True)


@main.command()
@click.pass_context
def relink(ctx: click.Context) -> None:
    """Re-link every stored mention from scratch and rebuild the incidents (an incident keeps the id most of its mentions had)."""
    r = _open(ctx).relink()
    err.print(f"{r['mentions']} mentions: {r['incidents_before']} incidents before, "
              f"{r['incidents_after']} after", highlight=False)


@main.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (default: stdout).")
@_filter_options
@click.pass_context
def export(ctx: click.Context, fmt: str, output: str | None, **filters) -> None:
    """Export incidents (all, or those matching the filters): json, jsonl, csv, csv-codebook,
    eval-jsonl (one line per article), geojson, parquet or stix."""
    data = _open(ctx).export(fmt, output=output, **_filters(filters))
    if output:
        err.print(f"wrote {output}", highlight=False)
    elif isinstance(data, bytes):
        sys.stdout.buffer.write(data)
    else:
        click.echo(data, nl=False)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--protect-reads", is_flag=True, envvar="INCIDENTWIRE_PROTECT_READS",
              help="Require a token for reading too (writes always need one).")
@click.option("--max-upload-mb", default=20, show_default=True, type=int, help="Largest request body accepted.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              help="uvicorn's log level (warning and above leaves out the access log).")
@click.option("--timeout-keep-alive", default=5, show_default=True, type=int,
              help="Seconds an idle HTTP keep-alive connection stays open.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes sharing the port (about one per CPU core).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, protect_reads: bool, max_upload_mb: int, log_level: str,
          timeout_keep_alive: int, workers: int) -> None:
    """Serve the web UI and the REST API (docs at /docs)."""
    from .web import serve as run_server
    db = _open(ctx)
    err.print(f"incidentwire UI on http://{host}:{port}  (API docs: http://{host}:{port}/docs; "
              "review needs a token: incidentwire token create NAME)", highlight=False)
    run_server(db, host, port, protect_reads=protect_reads, max_upload_bytes=max_upload_mb * 1024 * 1024,
               log_level=log_level, timeout_keep_alive=timeout_keep_alive, workers=workers)


@main.group()
def token() -> None:
    """API tokens for writing (review actions, uploads) and, if configured, reading."""


@token.command("create")
@click.argument("name")
@click.pass_context
def token_create(ctx: click.Context, name: str) -> None:
    """Create a token for NAME (who the audit log will record); it is printed once."""
    click.echo(_open(ctx).create_token(name))


@token.command("list")
@click.pass_context
def token_list(ctx: click.Context) -> None:
    """List tokens (names and dates; the tokens themselves are not stored)."""
    from .tokens import list_tokens
    for t in list_tokens(_open(ctx).store):
        click.echo(f"{t['id']}\t{t['name']}\t{t['created_at']}\t{'revoked ' + t['revoked_at'] if t['revoked_at'] else 'active'}")


@token.command("revoke")
@click.argument("token_id", type=int)
@click.pass_context
def token_revoke(ctx: click.Context, token_id: int) -> None:
    """Revoke a token by its id (see token list)."""
    from .tokens import revoke_token
    revoke_token(_open(ctx).store, token_id)
    click.echo(f"revoked token {token_id}")


def _write_output(data: bytes, output: str | None) -> None:
    if not output:
        click.echo(data.decode("utf-8"), nl=False)
        return
    try:
        Path(output).write_bytes(data)
    except OSError as e:
        raise click.ClickException(f"cannot write {output}: {e.strerror}") from None
    err.print(f"wrote {output}", highlight=False)


@main.command()
@click.option("--rules", type=click.Path(dir_okay=False), envvar="INCIDENTWIRE_RULES",
              help="Alert rules (TOML or YAML); default: new incidents, toll revisions, level changes.")
@click.option("--format", "fmt", type=click.Choice(["cap", "atom", "json"]), default="json", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (default: stdout).")
@click.pass_context
def alerts(ctx: click.Context, rules: str | None, fmt: str, output: str | None) -> None:
    """Write the alerts the rules fire for what is stored (CAP 1.2, Atom or JSON)."""
    from . import alerts as alerts_lib
    config = alerts_lib.load_config(rules)
    found = alerts_lib.evaluate(_open(ctx).store, config)
    _write_output(alerts_lib.render(found, fmt, config.sender), output)
    err.print(f"{len(found)} alerts", highlight=False)


@main.command()
@click.option("--region", help="Only this place, first-level region or country.")
@click.option("--as-of", default=None, help="Date of the computed level (YYYY-MM-DD or 'today'; "
              "default: the newest incident date stored).")
@click.option("--history", is_flag=True, help="Every official level statement and the computed level "
              "at each incident, oldest first.")
@click.option("--rules", type=click.Path(dir_okay=False), envvar="INCIDENTWIRE_RULES",
              help="Rules file whose [activity] section sets the window and weights.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.pass_context
def levels(ctx: click.Context, region, as_of, history, rules, as_json) -> None:
    """Threat levels per region: official levels stated in the news and the computed activity level."""
    from .alerts import load_config
    db = _open(ctx)
    cfg = load_config(rules).activity
    official = db.threat_levels(region)
    computed = db.activity_levels(region, as_of, cfg, history=history)
    if not history:
        latest = {}
        for c in official:
            latest[(c.value.get("region") or {}).get("key")] = c
        official = list(latest.values())
    if as_json:
        click.echo(json.dumps({"official": [c.to_dict() for c in official], "computed": computed}, indent=2))
        return
    table = Table(title="official threat levels" + (" (history)" if history else " (latest per region)"))
    for col in ("region", "level", "scale", "date", "action", "source", "evidence"):
        table.add_column(col, overflow="fold")
    for c in official:
        v = c.value
        table.add_row(*(Text(str(x)) for x in (   # article text is data, never markup
            (v.get("region") or {}).get("name") or "?", v["level"], v["scale_name"],
            (v.get("date") or {}).get("value") or "?", v["action"], v["source"].get("publisher") or c.article_id,
            c.quote)))
    out.print(table)
    table = Table(title="computed activity level" + (" at each incident" if history else
                                                      f" as of {computed[0]['as_of']}" if computed else ""))
    for col in ("region", "kind", "level", "score") + (("date", "incident") if history else ("incidents",)):
        table.add_column(col)
    for r in computed:
        tail = (r["date"], r["incident_id"]) if history else (str(r["incidents"]),)
        table.add_row(Text(r["region"]["name"]), r["region"]["kind"], r["level"], f"{r['score']:.2f}", *tail)
    out.print(table)


@main.command()
@click.option("--state", type=click.Choice(["pending", "delivered", "dead"]), help="Only rows in this state.")
@click.option("--requeue-dead", is_flag=True, help="Put dead-lettered rows back in the queue first.")
@click.pass_context
def outbox(ctx: click.Context, state: str | None, requeue_dead: bool) -> None:
    """The alert outbox: each alert per sink, its delivery state, attempts and last error."""
    from . import alerts as alerts_lib
    store = _open(ctx).store
    if requeue_dead:
        err.print(f"requeued {alerts_lib.requeue_dead(store)} dead-lettered deliveries", highlight=False)
    rows = alerts_lib.outbox_rows(store, state)
    table = Table(title=f"{len(rows)} deliveries")
    for col in ("alert", "sink", "state", "attempts", "last error", "delivered at"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*(Text(str(r[k] if r[k] is not None else "")) for k in (
            "alert_id", "sink", "state", "attempts", "last_error", "delivered_at")))
    out.print(table)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--metadata", type=click.Path(), help="Sidecar JSONL/CSV (re-read when it changes).")
@click.option("--rules", type=click.Path(dir_okay=False), envvar="INCIDENTWIRE_RULES",
              help="Alert rules and sinks (TOML or YAML); default rules, no sinks.")
@click.option("--interval", type=float, default=1.0, show_default=True, help="Seconds between polls.")
@click.option("--no-relevance-filter", is_flag=True, help="Extract incidents from every article.")
@click.pass_context
def watch(ctx: click.Context, paths, metadata, rules, interval, no_relevance_filter) -> None:
    """Follow folders and files: ingest what arrives, link, fire and deliver alerts (SIGTERM stops)."""
    import signal

    from .alerts import load_config
    from .watch import Watcher
    watcher = Watcher(_open(ctx).store, paths, load_config(rules), metadata=metadata, interval=interval,
                      relevance_filter=not no_relevance_filter,
                      on_log=lambda msg: err.print(msg, highlight=False, soft_wrap=True, markup=False,
                                                   emoji=False))
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: watcher.stop())
    watcher.run()


@main.command("train-extractor")
@click.option("--shared", type=click.Path(file_okay=False), default="../shared", show_default=True,
              help="The shared eval kit (reads eval/muc4/train.jsonl and dev.jsonl).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Model folder (default: the package's models/).")
@click.option("--epochs", type=int, default=8, show_default=True)
@click.option("--train-layers", type=int, default=6, show_default=True,
              help="Encoder layers trained (from the top); the ones below are frozen and run once.")
@click.option("--lr", type=float, default=1e-4, show_default=True,
              help="Learning rate of the trained layers (the heads take 3 times it).")
@click.option("--neg-rate", type=float, default=0.3, show_default=True,
              help="Share of windows without a filler (after an article's first) kept for training.")
@click.option("--role-weight", type=float, default=2.0, show_default=True,
              help="Loss weight of a role token against an O token.")
@click.option("--threads", type=int, default=2, show_default=True, help="torch CPU threads.")
@click.option("--max-minutes", type=float, help="Stop training after this long (the card records it).")
@click.option("--resume", type=click.Path(dir_okay=False, exists=True),
              help="Continue from the torch weights (.pt) an earlier run left beside the model.")
def train_extractor(shared, out_dir, epochs, train_layers, lr, neg_rate, role_weight, threads, max_minutes,
                    resume) -> None:
    """Fine-tune the learned MUC-4 extractor, export int8 ONNX + card (needs the [train] extra)."""
    from . import train
    try:
        card = train.train(Path(shared), Path(out_dir) if out_dir else train.MODEL_DIR, epochs=epochs,
                           threads=threads, train_layers=train_layers, lr=lr, neg_rate=neg_rate,
                           role_weight=role_weight,
                           max_minutes=max_minutes, resume=Path(resume) if resume else None,
                           log=lambda m: err.print(m, highlight=False))
    except ImportError as e:
        raise IncidentwireError(f"train-extractor needs the [train] extra (pip install 'incidentwire[train]'): {e}") from None
    out.print_json(data=card)


if __name__ == "__main__":
    main()
