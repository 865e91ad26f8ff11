/**
 * The span rules the page can check before asking the server, so that a change the server would
 * refuse is refused at once, with the reason (#14: a refused span stayed drawn as if saved).
 * They mirror annotator/annotations/spans.py (_check_collisions) for one layer:
 *   - no two identical spans (same label, start and end);
 *   - no overlapping spans at all when the project does not allow overlaps.
 * The server stays the judge: what the page cannot know (another tab's spans) it refuses there,
 * and the page rolls the change back.
 */

/**
 * The span of `spans` that forbids `candidate`, and why, or null when the page knows no reason.
 * @param {Iterable<{client_id: string, label: string, start: number, end: number}>} spans
 * @param {{client_id?: string, label: string, start: number, end: number}} candidate
 *   client_id: the span being changed (it does not clash with itself)
 * @param {{allowOverlap: boolean}} project
 * @returns {{reason: "identical" | "overlap", other: object} | null}
 */
export function refusal(spans, candidate, { allowOverlap }) {
  let overlap = null;
  for (const span of spans) {
    if (span.client_id === candidate.client_id) continue;
    if (span.start === candidate.start && span.end === candidate.end && span.label === candidate.label) {
      return { reason: "identical", other: span };
    }
    if (!allowOverlap && !overlap && span.start < candidate.end && candidate.start < span.end) {
      overlap = span;
    }
  }
  return overlap ? { reason: "overlap", other: overlap } : null;
}
