import assert from "node:assert/strict";
import { test } from "node:test";

import { lineBoxes } from "../src/marks.js";

const rect = (left, top, width, height) => ({ left, top, width, height, right: left + width, bottom: top + height });

test("rects of one line that touch become one box, taller element boxes included", () => {
  const boxes = lineBoxes([rect(10, 100, 30, 20), rect(40, 100, 25, 26), rect(40, 100, 25, 20), rect(65, 100, 5, 20)]);
  assert.deepEqual(boxes, [{ left: 10, right: 70, top: 100, bottom: 126, width: 60, height: 26 }]);
});

test("a range over two lines gives a box per line, in reading order", () => {
  const boxes = lineBoxes([rect(0, 140, 50, 20), rect(300, 100, 80, 20)]);
  assert.deepEqual(
    boxes.map((b) => [b.left, b.top, b.width]),
    [[300, 100, 80], [0, 140, 50]],
  );
});

test("empty rects (a collapsed line end) and gaps on a line are kept apart", () => {
  const boxes = lineBoxes([rect(0, 100, 0, 20), rect(10, 100, 20, 20), rect(200, 100, 20, 20)]);
  assert.deepEqual(boxes.map((b) => [b.left, b.right]), [[10, 30], [200, 220]]);
});
