/** Project settings: the guidelines preview is rendered and sanitised by the server
 * (POST /api/v1/markdown/, markdown-it-py + nh3), exactly as annotators will see it. */
import { api } from "../api.js";
import { bindForms } from "./forms.js";

const source = document.getElementById("ps-guidelines");
const preview = document.getElementById("guidelines-preview");
let timer = null;
let asked = 0;

async function render() {
  const ticket = ++asked;
  try {
    const { html } = await api("/markdown/", { method: "POST", body: { markdown: source.value } });
    if (ticket !== asked) return; // a later keystroke's answer is on its way
    preview.innerHTML = html; // sanitised HTML from the server (nh3)
    preview.dataset.rendered = "true";
  } catch {
    preview.textContent = "The preview could not be rendered (offline?).";
  }
}

source.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(render, 250);
});
render();
bindForms();
