"""Screenshots of the main pages of the demo, for the docs (`make screenshots`).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Runs a throwaway demo site (scripts/demo_site.py: its own SQLite database, seeded with the
demo), adds a few spans of annotator1 and annotator2 (overlapping ones included, a note) through
the span service, marks the seed article done and computes an agreement report, and saves PNGs
of: the login page, my projects, the annotation page (seed article with a span selected; the
Unicode demo with label names in the text), the reviewers' article list, the review page with
rows per annotator, the dashboard, and the manager console (its project list, settings with
the guidelines preview, the label editor, members, import with a report, assignment with the
workload table), each in the light theme and the dark one (`-dark`).
Emoji need the fonts-noto-color-emoji package to show in Chromium.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo_site import chromium_options, demo_site  # noqa: E402 (scripts/, beside this file)

# (annotator, article external id, label key, phrase, note): spans made before the screenshots.
DEMO_SPANS = [
    ("annotator1", "seed", "inserted_phrase", "Protecting ISIS", ""),
    ("annotator1", "seed", "loaded_language", "ISIS, US Could be Headed for a Major Showdown", ""),
    ("annotator1", "seed", "image_miscaption", "A picture is worth\u00a0a thousand words", ""),
    ("annotator2", "seed", "inserted_phrase", "Protecting ISIS", "Not in the original title"),
    ("annotator2", "seed", "loaded_language", "Major Showdown", ""),
    ("annotator2", "seed", "loaded_framing", "while U.S.-led coalition protects them", ""),
    ("annotator1", "demo-unicode", "name_calling", "these so-called families are paid actors", ""),
    ("annotator1", "demo-unicode", "exaggeration_minimisation", "tourism is dead forever", ""),
    ("annotator1", "demo-unicode", "loaded_language", "only a fool", ""),
]


def add_spans():
    from django.contrib.auth import get_user_model

    from annotator.agreement.services import report_now
    from annotator.annotations.spans import create_span
    from annotator.corpus.models import Article, Assignment

    users = {u.username: u for u in get_user_model().objects.all()}
    for username, external_id, label, phrase, note in DEMO_SPANS:
        article = Article.objects.get(project__slug="propaganda-demo", external_id=external_id)
        start = article.text.index(phrase)
        try:
            create_span(
                article,
                users[username].pk,
                label=label,
                start=start,
                end=start + len(phrase),
                note=note,
            )
        except Exception as error:  # a label missing from the demo schema: skip, say so
            print(f"skipped {label} on {external_id}: {error}", file=sys.stderr)
    seed = Article.objects.get(project__slug="propaganda-demo", external_id="seed")
    Assignment.objects.filter(article=seed).update(status="done")
    report_now(seed.project, done_only=True)
    return {a.external_id: a.pk for a in Article.objects.filter(project__slug="propaganda-demo")}


MANAGER_PAGES = [
    ("manage-console", "/manage/"),
    ("manage-settings", "/projects/propaganda-demo/settings/"),
    ("manage-labels", "/projects/propaganda-demo/labels/"),
    ("manage-members", "/projects/propaganda-demo/members/"),
    ("manage-import", "/projects/propaganda-demo/import/"),
    ("manage-assign", "/projects/propaganda-demo/assign/"),
    ("manage-recommenders", "/projects/propaganda-demo/recommenders/"),
    ("datasets", "/projects/propaganda-demo/datasets/"),
]
READY = {"manage-recommenders": "#recommenders-page", "datasets": "#datasets"}


def import_sample(folder: Path) -> Path:
    """A small JSONL file to upload on the import page (removed again by the caller's cleanup:
    it is written to a temporary folder)."""
    import json
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="screenshots-")) / "new-articles.jsonl"
    rows = [
        {"id": f"screenshot-{i}", "title": f"Imported article {i}", "text": f"Text {i}."}
        for i in range(1, 4)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def login(page, url, username, password):
    page.goto(url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(url + "/")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with demo_site() as url, sync_playwright() as pw:
        articles = add_spans()
        browser = pw.chromium.launch(**chromium_options())
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport={"width": 1440, "height": 900}, color_scheme=scheme)
            take(page, url, articles, args.out, "" if scheme == "light" else "-dark")
            page.close()
        browser.close()


def take(page, url, articles, out, suffix):
    def shot(name):
        path = out / f"{name}{suffix}.png"
        page.screenshot(path=str(path))
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

    page.goto(url + "/accounts/login/")
    shot("login")
    login(page, url, "annotator1", "demo-annotator1")
    shot("my-projects")
    for external_id in ("seed", "demo-unicode"):
        page.goto(f"{url}/annotate/{articles[external_id]}/")
        page.wait_for_selector("#app[data-ready=true]")
        page.wait_for_selector("#save-status[data-state=saved]")
        names = page.locator("#show-names")
        if names.is_checked() != (external_id == "demo-unicode"):
            names.click()  # label names in the text on the Unicode demo, not on the seed
        page.keyboard.press("]")  # select the first span: the editor and its card show
        page.locator(".label-button").first.hover()  # a label's description
        shot(f"annotate-{external_id}")
    page.get_by_role("button", name="Log out").click()
    login(page, url, "reviewer", "demo-reviewer")
    page.goto(url + "/projects/propaganda-demo/articles/")
    shot("article-list")
    page.goto(f"{url}/review/{articles['seed']}/")
    page.wait_for_selector("#review-app[data-ready=true]")
    page.check("#rows-toggle")
    page.locator("#groups .group").first.focus()
    shot("review-seed")
    page.goto(url + "/projects/propaganda-demo/dashboard/")
    page.wait_for_selector("#dashboard[data-ready=true]")
    shot("dashboard")
    page.get_by_role("button", name="Log out").click()
    login(page, url, "admin", "demo-admin")
    for name, path in MANAGER_PAGES:
        page.goto(url + path)
        if name == "manage-settings":
            page.wait_for_selector("#guidelines-preview[data-rendered=true]")
        if name in READY:
            page.wait_for_selector(f"{READY[name]}[data-ready=true]")
        if name == "manage-import":
            page.set_input_files("#import-files", [import_sample(out.parent)])
            page.click("#import-submit")
            page.wait_for_selector("#import-reports > li:first-child[data-status=done]")
        shot(name)
    page.get_by_role("button", name="Log out").click()


if __name__ == "__main__":
    main()
