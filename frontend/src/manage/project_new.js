/** New project: one source of labels at a time (the others' fields are disabled, so the
 * request carries exactly one), then the form goes to POST /api/v1/projects/. */
import { bindForms } from "./forms.js";

const form = document.getElementById("new-project");

function showSource() {
  const chosen = form.querySelector("input[name=source]:checked")?.value;
  form.querySelectorAll(".source-part").forEach((part) => {
    const on = part.dataset.source === chosen;
    part.hidden = !on;
    part.querySelectorAll("input, select").forEach((field) => (field.disabled = !on));
  });
}

form.querySelectorAll("input[name=source]").forEach((radio) => radio.addEventListener("change", showSource));
showSource();
bindForms();
