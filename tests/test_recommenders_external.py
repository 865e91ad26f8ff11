"""An external model speaking Label Studio's ML backend protocol, against a stub backend that
this test starts (http.server in a thread): its regions become recommendations; a backend that
times out or answers garbage leaves a clear status and the endpoint still answers 200."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from api_helpers import client_for
from django.core.cache import cache
from recommender_helpers import rec_world

pytestmark = pytest.mark.django_db


class Stub(BaseHTTPRequestHandler):
    mode = "ok"
    requests: list = []

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Stub.requests.append((self.path, body))
        if Stub.mode == "slow":
            time.sleep(1.5)
        if Stub.mode == "garbage":
            payload = b"<html>not json</html>"
        elif Stub.mode == "wrong shape":
            payload = json.dumps({"results": [{"result": [{"value": "x"}]}]}).encode()
        else:
            payload = json.dumps(self.regions(body["tasks"][0]["data"]["text"])).encode()
        self.send_response(500 if Stub.mode == "error" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    @staticmethod
    def regions(text: str) -> dict:
        word = "trust"
        start = text.find(word)
        emoji_at = text.find("🙂")
        result = [
            {
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "score": 0.8,
                "value": {
                    "start": start,
                    "end": start + len(word),
                    "text": word,
                    "labels": ["doubt"],
                },
            },
            # By label name, with UTF-16 offsets (as a JavaScript backend counts): the emoji
            # before it is two units there.
            {
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": emoji_at + 3,
                    "end": emoji_at + 8,
                    "text": "after",
                    "labels": ["loaded language"],
                },
            },
            # Unknown label, and offsets outside the text: dropped.
            {"type": "labels", "value": {"start": 0, "end": 4, "labels": ["Nope"]}},
            {"type": "labels", "value": {"start": 0, "end": 10**6, "labels": ["doubt"]}},
        ]
        return {"results": [{"result": result, "score": 0.5, "model_version": "stub-1"}]}


@pytest.fixture
def backend():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Stub.mode, Stub.requests = "ok", []
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def setup(url: str, **settings):
    w = rec_world(n_train=0, n_fresh=1)
    article = w.fresh[0]
    article.text = "Can we really trust them? 🙂 after all."
    article.save()
    boss = client_for(w.manager)
    boss.patch(f"/api/v1/projects/{w.project.slug}/", {"recommendations": "always"}, format="json")
    created = boss.post(
        f"/api/v1/projects/{w.project.slug}/recommenders/",
        {"name": "LS", "kind": "external", "url": url, "settings": settings},
        format="json",
    )
    assert created.status_code == 201, created.json()
    return w, boss, article, created.json()["id"]


def recommend(client, article) -> dict:
    cache.clear()  # the external answers are cached a few minutes per article
    response = client.get(f"/api/v1/articles/{article.pk}/recommendations/")
    assert response.status_code == 200
    return response.json()


def test_regions_of_a_label_studio_backend_become_recommendations(backend):
    w, boss, article, pk = setup(backend)
    body = recommend(client_for(w.annotator), article)
    assert body["status"] == [{"recommender": pk, "name": "LS", "state": "ok", "message": ""}]
    found = [
        (r["text"], r["label"], r["score"], r["origin_model"]) for r in body["recommendations"]
    ]
    assert found == [
        ("trust", "doubt", 0.8, f"external #{pk} stub-1"),
        ("after", "loaded_language", 0.5, f"external #{pk} stub-1"),
    ]
    path, request = Stub.requests[0]
    assert path == "/predict"
    assert request["tasks"] == [{"id": article.pk, "data": {"text": article.text}}]
    assert '<Label value="doubt"/>' in request["label_config"]
    training = boss.post(f"/api/v1/projects/{w.project.slug}/recommenders/{pk}/train/", {})
    assert training.status_code == 400
    assert "kind" in training.json()


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("slow", "did not answer within 0.5 s"),
        ("garbage", "did not answer with Label Studio's predict response"),
        ("wrong shape", "did not answer with Label Studio's predict response"),
        ("error", "answered HTTP 500"),
    ],
)
def test_a_backend_that_fails_leaves_a_clear_status_and_the_page_working(backend, mode, message):
    w, boss, article, pk = setup(backend, timeout=0.5)
    Stub.mode = mode
    body = recommend(client_for(w.annotator), article)
    assert body["recommendations"] == []
    [status] = body["status"]
    assert status["state"] == "error"
    assert message in status["message"]
    recommender = boss.get(f"/api/v1/projects/{w.project.slug}/recommenders/{pk}/").json()
    assert recommender["state"] == "error"
    assert message in recommender["message"]
    Stub.mode = "ok"  # it comes back
    assert recommend(client_for(w.annotator), article)["status"][0]["state"] == "ok"
    assert boss.get(f"/api/v1/projects/{w.project.slug}/recommenders/{pk}/").json()["state"] == (
        "ready"
    )


def test_an_unreachable_backend_is_an_error_status_too():
    w, boss, article, pk = setup("http://127.0.0.1:9/", timeout=0.5)
    [status] = recommend(client_for(w.annotator), article)["status"]
    assert status["state"] == "error"
    assert "could not be reached" in status["message"]


def test_external_recommenders_are_off_unless_configured():
    w = rec_world(n_train=0, n_fresh=1)
    boss = client_for(w.manager)
    body = recommend(boss, w.fresh[0])
    assert body["status"] == []
    assert body["recommendations"] == []
