/** The label schema editor: each row is a form (forms.js); the arrows reorder the labels with
 * one POST /api/v1/projects/<slug>/schema/order/ carrying every key in the new order. */
import { api, ApiError } from "../api.js";
import { bindForms, errorMessages } from "./forms.js";
import { moved } from "./order.js";

const editor = document.getElementById("schema-editor");
const slug = editor.dataset.project;
const tbody = document.querySelector("#labels tbody");

tbody.addEventListener("click", async (event) => {
  const button = event.target.closest("button.move");
  if (!button) return;
  const keys = Array.from(tbody.querySelectorAll("tr[data-label]"), (row) => row.dataset.label);
  const key = button.closest("tr").dataset.label;
  const error = document.getElementById("order-error");
  error.textContent = "";
  try {
    await api(`/projects/${slug}/schema/order/`, {
      method: "POST",
      body: { keys: moved(keys, key, Number(button.dataset.move)) },
    });
    location.reload();
  } catch (exc) {
    error.textContent =
      exc instanceof ApiError ? errorMessages(exc.body).map(([, m]) => m).join(" ") : "Offline: the order was not saved.";
  }
});

if (editor.dataset.editable === "false") {
  editor.querySelectorAll("#labels input, #labels textarea, #labels select, #labels button, #add-label input, #add-label textarea, #add-label button").forEach((field) => (field.disabled = true));
}
bindForms();
