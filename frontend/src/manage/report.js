/**
 * An import job (GET /api/v1/projects/<slug>/imports/<id>/) and its report as text to show:
 * DOM-free.
 */

import { humanSize } from "../bytes.js";

/** One file's report as list items: a summary line, then every error with file and line. */
export function fileReportLines(file) {
  const lines = [];
  if (file.ok) {
    const labelFiles = new Set(Object.values(file.label_files || {}).flat());
    const from = labelFiles.size ? ` from ${labelFiles.size} labels file(s)` : "";
    let summary = `${file.path}: ${file.articles_created} article(s), ${file.spans_created} span(s)${from}, ${file.images_created} image(s) created`;
    if (file.duplicates) {
      const more = file.duplicates > file.duplicate_ids.length ? ", …" : "";
      summary += `; ${file.duplicates} duplicate(s) skipped (${file.duplicate_ids.join(", ")}${more})`;
    }
    if (file.repeated_spans) summary += `; ${file.repeated_spans} repeated span line(s) stored once`;
    lines.push({ ok: true, text: summary });
    // SemEval/PTC: label files not read (SI without an SI label...), repeated lines
    for (const note of file.notes || []) lines.push({ ok: true, text: `note: ${note}`, detail: true });
    for (const where of file.repeated_span_lines || []) {
      lines.push({ ok: true, text: `repeated span line, stored once: ${where}`, detail: true });
    }
  } else {
    lines.push({ ok: false, text: `${file.path}: FAILED, nothing stored; ${file.errors.length} error(s)${file.errors_truncated ? " (more not shown)" : ""}` });
    for (const error of file.errors) {
      const where = error.line === null || error.line === undefined ? error.file : `${error.file}, line ${error.line}`;
      lines.push({ ok: false, text: `${where}: ${error.message}`, detail: true });
    }
  }
  return lines;
}

/** Whether the page should keep asking about the job. */
export function isPending(job) {
  return job.status === "queued" || job.status === "running";
}

/** The job's state in words: how far it has read its files while it runs, else the API's. */
export function jobStateText(job) {
  const { done, total } = job.progress;
  if (job.status === "running" && !job.stalled && total > 0) {
    return `importing: ${Math.floor((100 * done) / total)}% of ${humanSize(total)} read`;
  }
  return job.message;
}

/** Whose layer the files' spans go into, from the job's options. */
export function layerText(options, me) {
  if (options.layer === "gold") return "the gold layer";
  if (options.annotator === me) return "your layer";
  return `${options.annotator}'s layer`;
}
