/**
 * Follows background jobs (exports, imports) until they finish: every `intervalMs`, one GET
 * per pending job, its answer handed to `show`. A 404 (the job was deleted meanwhile) is handed
 * to `gone` so that it stops being pending; any other failure is said in `errorBox` and the
 * job is asked again next time. (`get` is the API call: a fake in tests.)
 */

import { ApiError, api } from "./api.js";

export function jobPoller({ url, pendingIds, show, gone, errorBox, name, intervalMs = 1000, get = api }) {
  let timer = null;

  async function poll() {
    for (const id of pendingIds()) {
      try {
        show(await get(url(id)));
        errorBox.textContent = "";
      } catch (exc) {
        if (exc instanceof ApiError && exc.status === 404) {
          gone(id);
        } else {
          errorBox.textContent = `Could not refresh ${name(id)}: ${exc.message}. Retrying.`;
        }
      }
    }
    timer = null;
    schedule();
  }

  /** Poll again in `intervalMs` if a job is pending and no poll is planned. */
  function schedule() {
    if (timer === null && pendingIds().length) timer = setTimeout(poll, intervalMs);
  }

  return { schedule };
}
