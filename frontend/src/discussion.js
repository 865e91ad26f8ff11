/**
 * A discussion thread on the page: the comments of the article or of one span (threads.js),
 * and a form to add one, through the comments API. Annotators read only their own comments and
 * the curators' (the API decides); everyone deletes their own.
 */

import { api } from "./api.js";
import { bdi, el } from "./dom.js";
import { humanizeDetail } from "./text.js";

let formCount = 0;

export class Discussion {
  /**
   * @param {{articleId: number, threads: import("./threads.js").Threads, username: string,
   *   onChange?: () => void}} options
   */
  constructor({ articleId, threads, username, onChange }) {
    this.articleId = articleId;
    this.threads = threads;
    this.username = username;
    this.onChange = onChange ?? (() => {});
  }

  /**
   * Draw the thread of span `spanId` (null: the article's) into `container`.
   * @param {{label: string, unsaved?: string}} options
   *   label: what the thread is about; unsaved: why nobody can write yet (a span not yet saved)
   */
  render(container, spanId, { label, unsaved } = {}) {
    const comments = this.threads.of(spanId);
    const list = el("ol", "comments");
    list.setAttribute("aria-label", label);
    for (const comment of comments) list.append(this.item(comment, container, spanId, label));
    const id = `comment-${++formCount}`;
    const form = el("form", "comment-form");
    const field = el("textarea");
    field.id = id;
    field.rows = 2;
    field.maxLength = 10000;
    field.dir = "auto";
    const fieldLabel = el("label", null, comments.length ? "Reply" : "Comment");
    fieldLabel.htmlFor = id;
    const post = el("button", null, "Post");
    post.type = "submit";
    const error = el("p", "form-error");
    error.setAttribute("role", "alert");
    if (unsaved) {
      field.disabled = true;
      post.disabled = true;
      error.textContent = unsaved;
      error.removeAttribute("role");
      error.className = "muted";
    }
    form.append(fieldLabel, field, post, error);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      post.disabled = true;
      try {
        const body = { body: field.value, span: spanId ?? null };
        const comment = await api(`/articles/${this.articleId}/comments/`, { method: "POST", body });
        this.threads.add(comment);
        this.render(container, spanId, { label, unsaved });
        container.querySelector("textarea")?.focus();
        this.onChange();
      } catch (exc) {
        error.textContent = `Not posted: ${humanizeDetail(exc.body ?? exc.message)}`;
        post.disabled = false;
      }
    });
    // Keys typed in the comment are text: the page's shortcuts ignore form fields.
    container.replaceChildren(list, form);
  }

  item(comment, container, spanId, label) {
    const li = el("li", "comment");
    const head = el("div", "comment-head");
    head.append(bdi(comment.author, "author"), " ");
    const time = el("time", "muted", new Date(comment.created_at).toLocaleString());
    time.dateTime = comment.created_at;
    head.append(time);
    if (comment.edited) head.append(el("span", "muted", " (edited)"));
    const body = el("p", "comment-body", comment.body);
    body.dir = "auto";
    li.append(head, body);
    if (comment.author === this.username) {
      const remove = el("button", "link-button", "Delete");
      remove.type = "button";
      remove.setAttribute("aria-label", "Delete your comment");
      remove.addEventListener("click", async () => {
        try {
          await api(`/comments/${comment.id}/`, { method: "DELETE" });
          this.threads.remove(comment.id);
          this.render(container, spanId, { label });
          this.onChange();
        } catch (exc) {
          remove.textContent = `Not deleted (${exc.message})`;
        }
      });
      head.append(" ", remove);
    }
    return li;
  }
}
