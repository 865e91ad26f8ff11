/**
 * The dashboard's Recommenders card: the labelled and unlabelled F1 of each recommender's
 * current model (GET /projects/<slug>/recommenders/), linking managers to the console page
 * where models are trained and their full evaluation is shown.
 */

import { api } from "./api.js";
import { el } from "./dom.js";
import { rowsOf, score } from "./evaluation.js";

const root = document.getElementById("recommender-quality");
const slug = root.dataset.project;
const manageUrl = root.dataset.manageUrl;
const status = document.getElementById("recommender-quality-status");

async function main() {
  let rows = [];
  try {
    rows = rowsOf(await api(`/projects/${slug}/recommenders/`));
  } catch (exc) {
    status.textContent = `The recommenders could not be loaded: ${exc.message}`;
    root.dataset.ready = "true";
    return;
  }
  const body = root.querySelector("tbody");
  body.replaceChildren(
    ...rows.map((r) => {
      const tr = el("tr");
      tr.dataset.recommender = r.id;
      const name = el("td");
      if (manageUrl) {
        const link = el("a", null, r.name);
        link.href = `${manageUrl}#recommender-${r.id}-title`;
        name.append(link);
      } else {
        name.textContent = r.name;
      }
      const m = r.current_model;
      tr.append(
        name,
        el("td", null, r.state),
        el("td", null, m ? `version ${m.version}` : "none yet"),
        el("td", "num labelled-f1", score(m?.evaluation?.labelled?.f1)),
        el("td", "num", score(m?.evaluation?.unlabelled?.f1)),
        el("td", "num", m?.counts?.articles === undefined ? "" : String(m.counts.articles)),
      );
      return tr;
    }),
  );
  if (rows.length === 0) {
    status.replaceChildren("No recommenders in this project.");
    if (manageUrl) {
      const link = el("a", null, "Set one up");
      link.href = manageUrl;
      status.append(" ", link, ".");
    }
  } else if (manageUrl) {
    const link = el("a", null, "Train and inspect them on the Recommenders page");
    link.href = manageUrl;
    status.replaceChildren(link, ".");
  }
  root.dataset.ready = "true";
}

main();
