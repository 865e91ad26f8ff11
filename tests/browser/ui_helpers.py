"""Helpers for the browser tests: log in, open an article, select text the way a user does (a
DOM selection, or a mouse drag) and read what the page shows and what the API stored."""

from playwright.sync_api import expect

from annotator.corpus.demo import PROJECT_SLUG
from annotator.corpus.models import Article
from annotator.schemas.models import Label


def hotkey(key: str) -> str:
    return Label.objects.get(schema__projects__slug=PROJECT_SLUG, key=key).hotkey


def article(external_id: str) -> Article:
    return Article.objects.get(project__slug=PROJECT_SLUG, external_id=external_id)


def login(page, server, username="annotator1", password="demo-annotator1"):
    page.goto(server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("My projects")


def open_article(page, server, art: Article):
    page.goto(f"{server.url}/annotate/{art.pk}/")
    expect(page.locator("#app")).to_have_attribute("data-ready", "true")


# Finds the n-th occurrence of a phrase in the text as shown and returns the DOM positions.
FIND_JS = """
([phrase, occurrence]) => {
  const root = document.getElementById('text');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = []; let all = '';
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    nodes.push([all.length, n]); all += n.data;
  }
  let at = -1;
  for (let k = 0; k <= occurrence; k++) {
    at = all.indexOf(phrase, at + 1); if (at < 0) return null;
  }
  const locate = (u16, end) => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const [start, node] = nodes[i];
      if (end ? start < u16 : start <= u16) return [node, u16 - start];
    }
  };
  return {at, locate, all};
}
"""


def select_phrase(page, phrase: str, occurrence: int = 0):
    """Select the phrase with a DOM selection, as a mouse, touch or keyboard selection makes."""
    found = page.evaluate(
        "([p, o]) => { const f = (" + FIND_JS + ")([p, o]); if (!f) return false;"
        " const [a, ao] = f.locate(f.at, false); const [b, bo] = f.locate(f.at + p.length, true);"
        " getSelection().setBaseAndExtent(a, ao, b, bo); return true; }",
        [phrase, occurrence],
    )
    assert found, f"{phrase!r} not shown in the text"


def drag_select(page, phrase: str, occurrence: int = 0):
    """Select the phrase by dragging the mouse from its first to its last character."""
    box = page.evaluate(
        "([p, o]) => { const f = (" + FIND_JS + ")([p, o]); if (!f) return null;"
        " const r = (u, e) => { const [n, off] = f.locate(u, e); const g = document.createRange();"
        " g.setStart(n, off); g.setEnd(n, off + 1); return g.getClientRects()[0]; };"
        " const first = r(f.at, false); const last = r(f.at + p.length - 1, false);"
        " return {x0: first.left + 1, y0: first.top + first.height / 2,"
        "         x1: last.right - 1, y1: last.top + last.height / 2}; }",
        [phrase, occurrence],
    )
    assert box, f"{phrase!r} not shown in the text"
    page.mouse.move(box["x0"], box["y0"])
    page.mouse.down()
    page.mouse.move((box["x0"] + box["x1"]) / 2, box["y1"], steps=4)
    page.mouse.move(box["x1"], box["y1"], steps=4)
    page.mouse.up()


def api_spans(page, server, art: Article) -> list[dict]:
    response = page.request.get(f"{server.url}/api/v1/articles/{art.pk}/spans/")
    assert response.ok, response.text()
    return response.json()


def wait_saved(page):
    expect(page.locator("#save-status")).to_have_text("Saved")


def span_items(page):
    return page.locator("#span-list .span-item")


def label_name(key: str) -> str:
    return Label.objects.get(schema__projects__slug=PROJECT_SLUG, key=key).name


def api_post(page, server, path: str, body: dict):
    """POST to the API as the page's user (session cookie and CSRF token, as the page does)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{server.url}/api/v1{path}", data=body, headers={"X-CSRFToken": token}
    )
    assert response.ok, response.text()
    return response.json()


def notice(page):
    return page.locator("#notice")
