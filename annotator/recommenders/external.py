"""An external model over HTTP, speaking Label Studio's ML backend protocol (pure, no Django).

``POST <url>/predict`` with ``{"tasks": [{"id", "data": {"text"}}], "label_config", "project",
"params"}``; the backend answers ``{"results": [{"result": [region, ...], "score",
"model_version"}], "model_version"}`` (older backends answer the list of results alone), one
result per task. A region of a text task is ``{"type": "labels", "value": {"start", "end",
"text", "labels": [name]}, "score"}``. A label is matched by key, name or official label.
Offsets are taken as code points; when the region's ``text`` disagrees and the offsets read as
UTF-16 (a JavaScript backend) agree, those are converted. A region that fits neither is dropped.
"""

import json
import urllib.error
import urllib.request
from xml.sax.saxutils import quoteattr

from annotator.recommenders.phrases import Suggestion

MAX_RESPONSE_BYTES = 10 * 1024 * 1024


class ExternalError(Exception):
    """The backend could not be used; the message says why, for the recommender's status."""


def label_config(labels: list[str]) -> str:
    """A Label Studio labelling config naming the project's label keys."""
    inner = "".join(f"<Label value={quoteattr(key)}/>" for key in labels)
    return (
        f'<View><Labels name="label" toName="text">{inner}</Labels>'
        '<Text name="text" value="$text"/></View>'
    )


def predict(
    url: str, task_id: int, text: str, labels: dict[str, str], *, project: str, timeout: float
) -> tuple[list[Suggestion], str]:
    """(suggestions, the backend's model_version) for one text. ``labels`` maps every name a
    backend may use (key, name, official label) to the label key."""
    body = json.dumps(
        {
            "tasks": [{"id": task_id, "data": {"text": text}}],
            "label_config": label_config(sorted(set(labels.values()))),
            "project": project,
            "params": {},
        }
    ).encode()
    request = urllib.request.Request(
        url.rstrip("/") + "/predict",
        data=body,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # a manager's URL, http(s) only (checked on save)
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except TimeoutError:
        raise ExternalError(f"{url} did not answer within {timeout} s.") from None
    except urllib.error.HTTPError as exc:
        raise ExternalError(f"{url} answered HTTP {exc.code} to /predict.") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise ExternalError(f"{url} did not answer within {timeout} s.") from None
        raise ExternalError(f"{url} could not be reached: {reason}.") from None
    if len(raw) > MAX_RESPONSE_BYTES:
        raise ExternalError(f"{url} answered more than {MAX_RESPONSE_BYTES} bytes.")
    try:
        return parse(json.loads(raw), text, labels)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ExternalError(
            f"{url} did not answer with Label Studio's predict response ({exc})."
        ) from None


def parse(data, text: str, labels: dict[str, str]) -> tuple[list[Suggestion], str]:
    results = data["results"] if isinstance(data, dict) else data
    if not isinstance(results, list):
        raise ValueError("no list of results")
    version = str(data.get("model_version") or "") if isinstance(data, dict) else ""
    if not results:
        return [], version
    first = results[0]
    if not isinstance(first, dict) or not isinstance(first.get("result", []), list):
        raise ValueError("a result is not an object with a list of regions")
    version = str(first.get("model_version") or version)
    default = _score(first.get("score"), 1.0)
    found = []
    for region in first.get("result", []):
        value = region["value"]
        start, end = value["start"], value["end"]
        if not isinstance(start, int) or not isinstance(end, int):
            raise ValueError("start and end must be integers")
        names = value.get("labels") or []
        key = next((labels[n] for n in names if isinstance(n, str) and n in labels), None)
        span = _locate(text, start, end, value.get("text"))
        if key is None or span is None:
            continue
        found.append(Suggestion(span[0], span[1], key, _score(region.get("score"), default)))
    return found, version


def _score(value, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return round(min(1.0, max(0.0, float(value))), 4)


def _locate(text: str, start: int, end: int, quoted) -> tuple[int, int] | None:
    if 0 <= start < end <= len(text) and (quoted is None or text[start:end] == quoted):
        return start, end
    if isinstance(quoted, str):
        s, e = _from_utf16(text, start), _from_utf16(text, end)
        if s is not None and e is not None and s < e and text[s:e] == quoted:
            return s, e
    return None


def _from_utf16(text: str, offset: int) -> int | None:
    """The code point index at UTF-16 ``offset`` of ``text`` (None: past the end or inside a
    surrogate pair)."""
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        if units > offset:
            return None
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text) if units == offset else None
