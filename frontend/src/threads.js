/**
 * Discussions (GET /api/v1/articles/<id>/comments/): a thread for the article and one per span,
 * kept in the order the server gives (oldest first). DOM-free; discussion.js draws them.
 */

export class Threads {
  constructor(comments = []) {
    /** @type {Map<number | null, object[]>} span id (null: the article) -> comments */
    this.bySpan = new Map();
    for (const comment of comments) this.add(comment);
  }

  add(comment) {
    const key = comment.span ?? null;
    if (!this.bySpan.has(key)) this.bySpan.set(key, []);
    const thread = this.bySpan.get(key);
    const at = thread.findIndex((c) => c.id === comment.id);
    if (at >= 0) thread[at] = comment;
    else thread.push(comment);
  }

  remove(id) {
    for (const thread of this.bySpan.values()) {
      const at = thread.findIndex((c) => c.id === id);
      if (at >= 0) thread.splice(at, 1);
    }
  }

  /** The thread of span `spanId`, or of the article for null/undefined. */
  of(spanId) {
    return this.bySpan.get(spanId ?? null) ?? [];
  }

  count(spanId) {
    return this.of(spanId).length;
  }
}
