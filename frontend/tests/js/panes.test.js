import assert from "node:assert/strict";
import { test } from "node:test";

import {
  defaultPanes, fitSizes, keyedSize, MIN, splitRange, TERMINAL_CHROME, TERMINAL_COLUMNS, toolsWidth,
} from "../../static/frontend/js/panes.js";

test("at 1440x900 the terminal gets its 100 columns and the editor keeps room beside it", () => {
  const sizes = defaultPanes({ width: 1440, height: 852, cellWidth: 7.83 });
  assert.ok(sizes.terminal >= TERMINAL_COLUMNS * 7.83 + TERMINAL_CHROME - 1, sizes.terminal);
  assert.ok(toolsWidth(1440, sizes.lesson) - sizes.terminal >= MIN.editor);
  assert.ok(sizes.lesson >= MIN.lesson && sizes.lesson <= 420);
  assert.ok(sizes.diagram > 300 && sizes.diagram < 852 - MIN.tools);
});

test("at 1280x720 every panel keeps its minimum and the terminal takes most of the row", () => {
  const sizes = defaultPanes({ width: 1280, height: 672, cellWidth: 7.83 });
  const tools = toolsWidth(1280, sizes.lesson);
  assert.ok(tools - sizes.terminal >= MIN.editor);
  assert.ok(sizes.terminal >= MIN.terminal && sizes.terminal >= tools * 0.6);
  assert.ok(sizes.diagram >= MIN.diagram && 672 - sizes.diagram >= MIN.tools);
});

test("narrow screens stack the panels: no sizes", () => {
  assert.equal(defaultPanes({ width: 900, height: 800 }), null);
});

test("splitter keys move by a step, Shift by four, Home and End to the ends, within the range", () => {
  const range = { min: 200, max: 600 };
  assert.equal(keyedSize(300, "ArrowRight", range), 316);
  assert.equal(keyedSize(300, "ArrowUp", range, { shift: true }), 236);
  assert.equal(keyedSize(300, "Home", range), 200);
  assert.equal(keyedSize(300, "End", range), 600);
  assert.equal(keyedSize(590, "ArrowDown", range, { shift: true }), 600);
  assert.equal(keyedSize(300, "a", range), null);
});

test("kept sizes are fitted into a smaller screen", () => {
  const box = { width: 1280, height: 672 };
  const sizes = fitSizes({ lesson: 900, terminal: 2000, diagram: 5000 }, defaultPanes(box), box);
  assert.equal(sizes.lesson, splitRange("lesson", sizes, box).max);
  assert.equal(sizes.terminal, splitRange("terminal", sizes, box).max);
  assert.equal(sizes.diagram, splitRange("diagram", sizes, box).max);
  assert.ok(toolsWidth(1280, sizes.lesson) - sizes.terminal >= MIN.editor);
  assert.deepEqual(fitSizes({ lesson: "junk" }, defaultPanes(box), box), defaultPanes(box));
});
