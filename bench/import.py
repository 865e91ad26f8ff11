"""Import benchmark: JSONL articles with spans into a fresh PostgreSQL database.

    .venv/bin/python bench/import.py                   # 10,000 then 100,000 articles
    .venv/bin/python bench/import.py --articles 20000   # one size
    .venv/bin/python bench/import.py --profile          # + the top of a cProfile of the import
    .venv/bin/python bench/import.py --fast             # the opt-in fast path (no FK triggers)
    .venv/bin/python bench/import.py --plain-role       # as a role that is not a superuser
    .venv/bin/python bench/import.py --format brat      # another importer (20,000 articles)

For each size it writes a JSONL file (about 3,000 characters and 10 spans an article, with emoji
and no-break spaces) to a temporary folder, creates the database ``annotator_bench`` (dropped at
the end), migrates it and imports the file in a separate process through the same service the
``import_articles`` command uses. It prints articles/s, seconds and that process's peak memory
(the RSS high-water mark, so each size runs in a process of its own), plus the CPU seconds of
the Python process and of its PostgreSQL backend (wall time on a busy machine measures the
other work too), and the mode: "FK triggers" (the normal path), or with ``--fast`` "fast path"
when the role may skip PostgreSQL's foreign-key triggers (a superuser, as ``postgres`` here).
Targets: 100,000 articles in at most 60 s on the normal path, 30 s with ``--fast``; peak
memory under 300 MB and the same at every size. ``--format`` writes the same articles and spans
for another importer instead (``semeval``: a release-layout folder with per-article TC files;
``brat``: .txt + .ann pairs; ``conll``: our CoNLL layout, one tag column per label, spans that
would overlap in a column left out; ``label-studio``: one tasks.json), 20,000 articles by
default; target at least 2,000 articles/s each. ``BENCH_DB`` names the database (default
``annotator_bench``), for runs side by side.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "annotator_bench")
# --plain-role: a role that may not set session_replication_role, owner of the bench database
PLAIN_ROLE = "annotator_bench_plain"
LABELS = [
    ("loaded_language", "Loaded_Language"),
    ("name_calling", "Name_Calling,Labeling"),
    ("doubt", "Doubt"),
    ("flag_waving", "Flag-Waving"),
    ("whataboutism", "Whataboutism,Straw_Men,Red_Herring"),
]
SPANS_PER_ARTICLE = 10
TEXT_LENGTH = 3000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, action="append", help="size(s) to run")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    parser.add_argument(
        "--plain-role",
        action="store_true",
        help=f"import as {PLAIN_ROLE}, not a superuser: the path with foreign-key triggers",
    )
    parser.add_argument("--fast", action="store_true", help="ask for the import's fast path")
    parser.add_argument("--format", choices=sorted(WRITERS), default="jsonl", help="input format")
    parser.add_argument("--child", metavar="JSONL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_import(Path(args.child), args.profile, args.plain_role, args.fast)

    sizes = args.articles or ([10_000, 100_000] if args.format == "jsonl" else [20_000])
    results = []
    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        for size in sizes:
            path = Path(folder) / f"articles-{size}{SUFFIXES.get(args.format, '')}"
            started = time.perf_counter()
            WRITERS[args.format](path, articles(size))
            mb, seconds = _size(path) / 1e6, time.perf_counter() - started
            print(f"generated {size:,} articles as {args.format} ({mb:,.0f} MB) in {seconds:.1f} s")
            recreate_database(args.plain_role)
            try:
                command = [sys.executable, __file__, "--child", str(path)]
                if args.profile:
                    command.append("--profile")
                if args.plain_role:
                    command.append("--plain-role")
                if args.fast:
                    command.append("--fast")
                out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            finally:
                drop_database()
            *lines, last = out.strip().splitlines()
            print("\n".join(lines)) if lines else None
            results.append({**json.loads(last), "format": args.format})
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    print()
    print(
        f"{'articles':>10} {'spans':>10} {'seconds':>8} {'articles/s':>11} {'peak RSS MB':>12} "
        f"{'Python CPU s':>13} {'PG backend CPU s':>17}  format, mode"
    )
    for r in results:
        backend = "n/a" if r["backend_cpu"] is None else f"{r['backend_cpu']:.1f}"
        print(
            f"{r['articles']:>10,} {r['spans']:>10,} {r['seconds']:>8.1f} "
            f"{r['articles'] / r['seconds']:>11,.0f} {r['peak_rss_mb']:>12.0f} "
            f"{r['python_cpu']:>13.1f} {backend:>17}  {r['format']}, {r['mode']}"
        )
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def articles(count: int, seed: int = 11):
    """``count`` articles (dicts of our JSONL form), one at a time."""
    rng = random.Random(seed)
    words = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 10)))
        for _ in range(2000)
    ]
    words += ["🔥", "café", "naïve", "no\u00a0break", "عادلة", "שקר", "👨\u200d👩\u200d👧"]
    for n in range(count):
        parts, length = [], 0
        while length < TEXT_LENGTH:
            word = rng.choice(words)
            parts.append(word)
            length += len(word) + 1
        title = f"Article {n}: {parts[0]} {parts[1]}"
        text = f"{title}\n\n" + " ".join(parts)  # a title line, as article files have
        spans = []
        for _ in range(SPANS_PER_ARTICLE):
            start = rng.randrange(len(title) + 2, len(text) - 60)
            end = start + rng.randint(5, 60)
            spans.append({"start": start, "end": end, "label": rng.choice(LABELS)[1]})
        yield {
            "id": f"bench-{n}",
            "title": title,
            "text": text,
            "url": f"https://example.org/news/{n}",
            "published": "2020-01-31",
            "meta": {"source": "bench", "n": n},
            "spans": spans,
        }


def write_jsonl(path: Path, items) -> None:
    """Line by line (never the whole file in memory)."""
    with path.open("w", encoding="utf-8") as out:
        for line in items:
            out.write(json.dumps(line, ensure_ascii=False))
            out.write("\n")


def write_semeval(path: Path, items) -> None:
    """The release's layout: train-articles/ and per-article .task2-TC.labels files."""
    (path / "train-articles").mkdir(parents=True)
    (path / "train-labels-task2-technique-classification").mkdir()
    for n, item in enumerate(items):
        (path / "train-articles" / f"article{n}.txt").write_text(item["text"], "utf-8")
        lines = "".join(f"{n}\t{s['label']}\t{s['start']}\t{s['end']}\n" for s in item["spans"])
        labels = f"train-labels-task2-technique-classification/article{n}.task2-TC.labels"
        (path / labels).write_text(lines, "utf-8")


def write_brat(path: Path, items) -> None:
    path.mkdir()
    for n, item in enumerate(items):
        text = item["text"]
        (path / f"doc{n}.txt").write_text(text, "utf-8")
        ann = "".join(
            f"T{i}\t{s['label']} {s['start']} {s['end']}\t{text[s['start'] : s['end']]}\n"
            for i, s in enumerate(item["spans"], 1)
        )
        (path / f"doc{n}.ann").write_text(ann, "utf-8")


def write_conll(path: Path, items) -> None:
    """Our CoNLL layout, a tag column per label; a span that would overlap another of its label
    in the column is left out (the export drops it too)."""
    names = [official for _, official in LABELS]
    with path.open("w", encoding="utf-8") as out:
        out.write("# columns = token\tstart\tend\t" + "\t".join(names) + "\n")
        for item in items:
            text = item["text"]
            tokens = [(m[0], m.start(), m.end()) for m in re.finditer(r"[^ \n]+", text)]
            tags = [["O"] * len(tokens) for _ in names]
            for s in item["spans"]:
                inside = [
                    i for i, (_, a, b) in enumerate(tokens) if a < s["end"] and b > s["start"]
                ]
                column = tags[names.index(s["label"])]
                if inside and all(column[i] == "O" for i in inside):
                    for i in inside:
                        column[i] = ("B-" if i == inside[0] else "I-") + s["label"]
            out.write(f"\n# doc_id = {item['id']}\n")
            out.write(
                "".join(
                    ("\n" if i and "\n" in text[tokens[i - 1][2] : a] else "")
                    + f"{word}\t{a}\t{b}\t"
                    + "\t".join(c[i] for c in tags)
                    + "\n"
                    for i, (word, a, b) in enumerate(tokens)
                )
            )


def write_label_studio(path: Path, items) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        for n, item in enumerate(items):
            text = item["text"]
            regions = [
                {
                    "id": f"r{i}",
                    "type": "labels",
                    "value": {
                        "start": s["start"],
                        "end": s["end"],
                        "text": text[s["start"] : s["end"]],
                        "labels": [s["label"]],
                    },
                }
                for i, s in enumerate(item["spans"])
            ]
            task = {
                "id": n,
                "data": {"text": text, "external_id": item["id"]},
                "annotations": [{"result": regions}],
            }
            out.write(("\n" if n == 0 else ",\n") + json.dumps(task, ensure_ascii=False))
        out.write("\n]\n")


SUFFIXES = {"jsonl": ".jsonl", "conll": ".conll", "label-studio": ".json"}  # else a folder
WRITERS = {
    "jsonl": write_jsonl,
    "semeval": write_semeval,
    "brat": write_brat,
    "conll": write_conll,
    "label-studio": write_label_studio,
}


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _server(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def recreate_database(plain_role: bool = False) -> None:
    drop_database()
    if plain_role:
        _server(f"CREATE ROLE {PLAIN_ROLE} LOGIN NOSUPERUSER")
        _server(f"CREATE DATABASE {DB_NAME} OWNER {PLAIN_ROLE}")
    else:
        _server(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    _server(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _server(f"DROP ROLE IF EXISTS {PLAIN_ROLE}")


def _database_url(plain_role: bool) -> str:
    if not plain_role:
        return f"{SERVER_URL}/{DB_NAME}"
    scheme, rest = SERVER_URL.split("://", 1)
    return f"{scheme}://{PLAIN_ROLE}@{rest.rsplit('@', 1)[-1]}/{DB_NAME}"


def run_import(path: Path, profile: bool, plain_role: bool = False, fast: bool = False) -> None:
    """In the child process: set Django up on the bench database, import, print JSON figures."""
    import resource

    os.environ["DATABASE_URL"] = _database_url(plain_role)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from annotator.corpus.models import Project
    from annotator.imports.service import import_paths

    call_command("migrate", verbosity=0)
    project = Project.objects.create(slug="bench", name="Bench", schema=make_schema())

    cpu_before, backend_before = _cpu_seconds(), _backend_cpu_seconds()
    started = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        report = profiler.runcall(import_paths, project, [path], annotator="bench", fast=fast)
        seconds = time.perf_counter() - started
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(25)
    else:
        report = import_paths(project, [path], annotator="bench", fast=fast)
        seconds = time.perf_counter() - started
    if not report.ok:
        raise SystemExit(f"import failed: {[str(e) for f in report.failed for e in f.errors]}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    backend_after = _backend_cpu_seconds()
    figures = {
        "articles": report.articles_created,
        "spans": report.spans_created,
        "seconds": seconds,
        "peak_rss_mb": peak,
        "python_cpu": _cpu_seconds() - cpu_before,
        "backend_cpu": None if backend_after is None else backend_after - backend_before,
        # PostgreSQL's foreign-key triggers skipped (the role may), or checked row by row
        "mode": "fast path" if all(f.fast_path for f in report.files) else "FK triggers",
    }
    print(json.dumps(figures))


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _backend_cpu_seconds() -> float | None:
    """CPU time of this connection's PostgreSQL backend process, when the server is local: on a
    machine shared with other work, CPU seconds say more than wall seconds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_schema():
    """The semeval2020 preset through the schema service; a few labels directly if it is absent."""
    try:
        from annotator.schemas.services import load_schema

        return load_schema("semeval2020", name="Bench schema")
    except ImportError:
        pass
    from annotator.schemas.models import Label, LabelSchema

    schema = LabelSchema.objects.create(name="Bench schema")
    for order, (key, official) in enumerate(LABELS):
        Label.objects.create(
            schema=schema,
            key=key,
            name=key.replace("_", " ").title(),
            official_label=official,
            order=order,
        )
    return schema


if __name__ == "__main__":
    main()
