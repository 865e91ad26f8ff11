/** An import report (POST /api/v1/projects/<slug>/imports/) as lines to show: DOM-free. */

/** One file's report as list items: a summary line, then every error with file and line. */
export function fileReportLines(file) {
  const lines = [];
  if (file.ok) {
    let summary = `${file.path}: ${file.articles_created} article(s), ${file.spans_created} span(s), ${file.images_created} image(s) created`;
    if (file.duplicates) {
      const more = file.duplicates > file.duplicate_ids.length ? ", …" : "";
      summary += `; ${file.duplicates} duplicate(s) skipped (${file.duplicate_ids.join(", ")}${more})`;
    }
    lines.push({ ok: true, text: summary });
  } else {
    lines.push({ ok: false, text: `${file.path}: FAILED, nothing stored; ${file.errors.length} error(s)${file.errors_truncated ? " (more not shown)" : ""}` });
    for (const error of file.errors) {
      const where = error.line === null || error.line === undefined ? error.file : `${error.file}, line ${error.line}`;
      lines.push({ ok: false, text: `${where}: ${error.message}`, detail: true });
    }
  }
  return lines;
}
