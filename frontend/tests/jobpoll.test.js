import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError } from "../src/api.js";
import { jobPoller } from "../src/jobpoll.js";

function setup(answers) {
  const jobs = new Map([
    [1, "running"],
    [2, "queued"],
    [3, "done"],
  ]);
  const asked = [];
  const errorBox = { textContent: "stale" };
  let polled;
  const finished = new Promise((resolve) => (polled = resolve));
  const poller = jobPoller({
    url: (id) => `/jobs/${id}/`,
    pendingIds: () => [...jobs].filter(([, s]) => s !== "done" && s !== "gone").map(([id]) => id),
    show: (job) => {
      jobs.set(job.id, job.status);
    },
    gone: (id) => jobs.set(id, "gone"),
    errorBox,
    name: (id) => `job ${id}`,
    intervalMs: 0,
    get: async (url) => {
      asked.push(url);
      const answer = answers.shift();
      if (!answers.length) setTimeout(polled, 5);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  return { jobs, asked, errorBox, poller, finished };
}

test("asks each pending job until it is done; a deleted job stops being asked", async () => {
  const { jobs, asked, errorBox, poller, finished } = setup([
    { id: 1, status: "running" },
    new ApiError(404, { detail: "Not found." }),
    { id: 1, status: "done" },
  ]);
  poller.schedule();
  await finished;
  assert.deepEqual(asked, ["/jobs/1/", "/jobs/2/", "/jobs/1/"]);
  assert.equal(jobs.get(1), "done");
  assert.equal(jobs.get(2), "gone");
  assert.equal(errorBox.textContent, "");
});

test("another failure is said, and the job is asked again", async () => {
  const { jobs, asked, errorBox, poller, finished } = setup([
    new ApiError(503, "down"),
    { id: 1, status: "done" },
  ]);
  jobs.set(2, "done");
  poller.schedule();
  await new Promise((resolve) => setTimeout(resolve, 1));
  assert.match(errorBox.textContent, /^Could not refresh job 1: HTTP 503: down\. Retrying\.$/);
  await finished;
  assert.deepEqual(asked, ["/jobs/1/", "/jobs/1/"]);
  assert.equal(jobs.get(1), "done");
});

test("nothing pending: no request", async () => {
  const { jobs, asked, poller } = setup([]);
  for (const id of jobs.keys()) jobs.set(id, "done");
  poller.schedule();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(asked, []);
});
