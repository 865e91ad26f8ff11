/**
 * The manager console's forms: every form with class "api-form" is sent to the REST API as
 * JSON (the same calls scripts make), and the API's answer decides what the page shows.
 *
 *   <form class="api-form" data-endpoint="/projects/x/members/" data-method="POST"
 *         data-then="reload | redirect | stay" data-redirect="/projects/{slug}/settings/"
 *         data-confirm="Remove alice?" data-success="Saved.">
 *
 * Fields become a JSON object by name ("filter.q" nests); data-type on a field says how:
 * "int", "bool" (a checkbox; a radio sends its value when checked), "list" (every ticked checkbox or selected option of that name,
 * or a comma-separated text), "json-file" (a file input read and parsed), default text;
 * data-omit-empty leaves an empty field out, data-skip (and disabled) a field always. Errors come back keyed by field (nested keys
 * joined by dots) and are shown in [data-error-for="field"] inside the form (or outside it with
 * data-form="<form id>"), or in its .form-error, so nothing fails silently.
 */

import { api, ApiError } from "../api.js";

/** Set a value at a dotted path of an object. */
export function setPath(target, path, value) {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== "object" || node[part] === null) node[part] = {};
    node = node[part];
  }
  node[parts.at(-1)] = value;
}

/** An API error body as [field path, message] pairs ("" for the form as a whole). */
export function errorMessages(body, prefix = "") {
  if (body === null || body === undefined) return [[prefix, "The request failed."]];
  if (typeof body === "string") return [[prefix, body.slice(0, 500)]];
  if (Array.isArray(body)) {
    return body.flatMap((item, index) =>
      typeof item === "object" && item !== null
        ? errorMessages(item, prefix ? `${prefix}.${index}` : String(index))
        : [[prefix, String(item)]],
    );
  }
  return Object.entries(body).flatMap(([key, value]) => {
    const path = key === "detail" || key === "non_field_errors" ? prefix : prefix ? `${prefix}.${key}` : key;
    return errorMessages(value, path);
  });
}

/** Fill "{name}" placeholders from an object (a redirect to the new project's page). */
export function fillTemplate(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(values?.[name] ?? ""));
}

async function readJsonFile(input) {
  const file = input.files?.[0];
  if (!file) return undefined;
  const text = await file.text();
  try {
    return JSON.parse(text);
  } catch (exc) {
    throw new FieldError(input.name, `${file.name} is not JSON: ${exc.message}`);
  }
}

class FieldError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

/** The JSON body of a form, from its fields (including those tied to it by form="id"). */
export async function formBody(form) {
  const body = {};
  const lists = new Map();
  for (const field of form.elements) {
    if (!field.name || field.disabled || field.type === "submit" || field.type === "button") continue;
    if (field.dataset.skip !== undefined || (field.type === "radio" && !field.checked)) continue;
    const type = field.dataset.type ?? "";
    let value;
    if (type === "list") {
      if (!lists.has(field.name)) lists.set(field.name, []);
      const list = lists.get(field.name);
      if (field.type === "checkbox") {
        if (field.checked) list.push(field.value);
      } else if (field.multiple) {
        list.push(...Array.from(field.selectedOptions, (option) => option.value));
      } else {
        list.push(...field.value.split(",").map((part) => part.trim()).filter(Boolean));
      }
      continue;
    }
    if (type === "json-file") {
      value = await readJsonFile(field);
      if (value === undefined) continue;
    } else if (type === "bool" || field.type === "checkbox") {
      value = field.checked;
    } else if (type === "int") {
      if (field.value.trim() === "") continue;
      value = Number(field.value);
    } else {
      value = field.value;
    }
    if (field.dataset.omitEmpty !== undefined && value === "") continue;
    setPath(body, field.name, value);
  }
  for (const [name, list] of lists) {
    const field = form.elements.namedItem(name);
    const sample = typeof field?.length === "number" && !field.tagName ? field[0] : field; // a RadioNodeList
    if (sample?.dataset.omitEmpty !== undefined && list.length === 0) continue;
    setPath(body, name, list);
  }
  return body;
}

/** Error slots of a form: inside it, or tied to it by data-form="<form id>" (table rows). */
function slots(form, selector) {
  const outside = form.id ? Array.from(document.querySelectorAll(`${selector}[data-form="${CSS.escape(form.id)}"]`)) : [];
  return [...form.querySelectorAll(selector), ...outside];
}

function clearErrors(form) {
  slots(form, "[data-error-for]").forEach((node) => (node.textContent = ""));
  form.querySelectorAll(".form-error").forEach((node) => (node.textContent = ""));
  form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
}

export function showErrors(form, pairs) {
  const general = form.querySelector(".form-error");
  const unplaced = [];
  for (const [field, message] of pairs) {
    const slot = field ? slots(form, `[data-error-for="${CSS.escape(field)}"]`)[0] : null;
    if (slot) {
      slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
      const input = form.elements.namedItem(field);
      if (input?.setAttribute) input.setAttribute("aria-invalid", "true");
    } else {
      unplaced.push(field ? `${field}: ${message}` : message);
    }
  }
  if (unplaced.length) {
    if (general) general.textContent = unplaced.join(" ");
    else alert(unplaced.join("\n"));
  }
}

function status(form, text) {
  const node = form.querySelector(".form-status");
  if (node) node.textContent = text;
}

export async function submit(form) {
  clearErrors(form);
  if (form.dataset.confirm && !confirm(form.dataset.confirm)) return null;
  const method = (form.dataset.method ?? "POST").toUpperCase();
  let body;
  try {
    body = method === "DELETE" ? undefined : await formBody(form);
  } catch (exc) {
    if (exc instanceof FieldError) {
      showErrors(form, [[exc.field, exc.message]]);
      return null;
    }
    throw exc;
  }
  const buttons = form.querySelectorAll("button[type=submit], button:not([type])");
  buttons.forEach((button) => (button.disabled = true));
  status(form, "Saving…");
  try {
    const answer = await api(form.dataset.endpoint, { method, body });
    status(form, form.dataset.success ?? "Saved.");
    form.dispatchEvent(new CustomEvent("api-success", { detail: answer, bubbles: true }));
    const then = form.dataset.then ?? "reload";
    if (then === "reload") location.reload();
    else if (then === "redirect") location.assign(fillTemplate(form.dataset.redirect, answer));
    return answer;
  } catch (exc) {
    status(form, "");
    if (exc instanceof ApiError) showErrors(form, errorMessages(exc.body));
    else showErrors(form, [["", "The server could not be reached; nothing was saved. Try again."]]);
    return null;
  } finally {
    buttons.forEach((button) => (button.disabled = false));
  }
}

/** Send every api-form through the API; a field with data-autosubmit sends its form when it
 * changes (a member's role). */
export function bindForms(root = document) {
  root.querySelectorAll("form.api-form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit(form);
    });
  });
  root.querySelectorAll("[data-autosubmit]").forEach((field) => {
    field.addEventListener("change", () => field.form && submit(field.form));
  });
}
