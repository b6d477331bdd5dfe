// The client-side object store: objects keyed by metadata.uid, fed by snapshots and batches, with the ordered
// history that the timeline rebuilds past states from. Pure (no DOM).
import { compareResourceVersions } from "./protocol.js";

/** The key of an object: its uid, or kind/namespace/name when a (synthetic) object has none. */
export function keyOf(obj) {
  const meta = obj?.metadata || {};
  return meta.uid || `${obj?.kind}/${meta.namespace || ""}/${meta.name}`;
}

/** Apply watch events in order to a Map of objects; returns {added, modified, deleted} key lists. */
export function applyEvents(objects, events) {
  const added = [];
  const modified = [];
  const deleted = [];
  for (const event of events) {
    const obj = event.object;
    if (!obj) continue;
    const key = keyOf(obj);
    if (event.type === "DELETED") {
      if (objects.delete(key)) deleted.push(key);
    } else if (event.type === "ADDED" || event.type === "MODIFIED") {
      if (objects.has(key)) modified.push(key);
      else added.push(key);
      objects.set(key, obj);
    }
  }
  return { added, modified, deleted };
}

function mapOf(objects) {
  const map = new Map();
  for (const obj of objects || []) map.set(keyOf(obj), obj);
  return map;
}

/**
 * The simulated time (seconds since the epoch) at wall time `wallMs`, from the clock the server last described:
 * {sim, wall (ms), speed, paused}. The server's clock runs the same way (`sim/clock.py` `target`). Pure.
 */
export function simulatedNow(clock, wallMs) {
  if (!clock || !Number.isFinite(clock.sim)) return NaN;
  if (clock.paused) return clock.sim;
  return clock.sim + (Math.max(0, wallMs - clock.wall) / 1000) * (clock.speed || 1);
}

/**
 * Timeline entries from a page of the recorded history (`history` of docs/realtime.md): one entry per simulated
 * moment, the consecutive changes that share a time. Pure.
 */
export function historyEntries(events, changes) {
  const entries = [];
  events.forEach((event, i) => {
    const change = changes[i] || {};
    const last = entries[entries.length - 1];
    if (last && last.time === change.time) {
      last.events.push(event);
      last.changes.push(change);
      last.resourceVersion = change.resourceVersion;
    } else {
      entries.push({ resourceVersion: change.resourceVersion, time: change.time, events: [event], changes: [change] });
    }
  });
  return entries;
}

/**
 * The objects as they stood before the first of `entries`, given the objects `after` them (a Map by key). An
 * object the entries first add did not exist; one they first change or delete existed as the entries' first
 * record of it shows (the record after that change: the log keeps no older one; a sandbox's log from its
 * creation on starts with every object added, so then this is exact). Pure.
 */
export function stateBefore(after, entries) {
  const first = new Map();
  for (const entry of entries) {
    for (const event of entry.events) {
      const key = keyOf(event.object);
      if (!first.has(key)) first.set(key, event);
    }
  }
  const objects = new Map();
  for (const [key, obj] of after) if (!first.has(key)) objects.set(key, obj);
  for (const [key, event] of first) if (event.type !== "ADDED") objects.set(key, event.object);
  return objects;
}

/** A read-only view of objects at one moment: what the diagram and the text list render. */
export class ClusterView {
  constructor(objects, { resourceVersion = "", time = "", sandbox = null } = {}) {
    this.objects = objects;
    this.resourceVersion = resourceVersion;
    this.time = time;
    this.sandbox = sandbox;
    this.kindIndex = null;
  }

  get(key) {
    return this.objects.get(key);
  }

  /** Every object of one kind, in insertion order (a shared array: do not modify it). */
  ofKind(kind) {
    if (!this.kindIndex) {
      this.kindIndex = new Map();
      for (const obj of this.objects.values()) {
        let list = this.kindIndex.get(obj.kind);
        if (!list) {
          list = [];
          this.kindIndex.set(obj.kind, list);
        }
        list.push(obj);
      }
    }
    return this.kindIndex.get(kind) || [];
  }

  /** The simulated time as seconds since the epoch. */
  get now() {
    const parsed = Date.parse(this.time);
    return Number.isFinite(parsed) ? parsed / 1000 : Date.now() / 1000;
  }
}

/**
 * The live store. `history` holds timeline entries in order: each is a batch {resourceVersion, time, events,
 * changes} or a snapshot {snapshot: Map, ...}. The oldest entries fold into `base` beyond `historyLimit` events.
 */
export class Store extends ClusterView {
  constructor({ historyLimit = 50000, wallNow = () => Date.now() } = {}) {
    super(new Map());
    this.wallNow = wallNow;
    this.clock = null;
    this.historyLimit = historyLimit;
    this.base = null;
    this.history = [];
    this.historyEvents = 0;
    this.listeners = new Set();
  }

  /** Call fn(diff, store) after every change; diff is {reset, added, modified, deleted, changes, deletedObjects}. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(diff) {
    for (const fn of this.listeners) fn(diff, this);
  }

  /** The live simulated time: the server's last word on it, run forward by the wall clock at the sandbox's speed. */
  get now() {
    const now = simulatedNow(this.clock, this.wallNow());
    return Number.isFinite(now) ? now : super.now;
  }

  /** Anchor the clock at simulated `time` (RFC 3339; absent: where it has run to) and the sandbox's speed. */
  setClock(time) {
    const wall = this.wallNow();
    const parsed = time ? Date.parse(time) / 1000 : simulatedNow(this.clock, wall);
    const sandbox = this.sandbox || {};
    this.clock = { sim: parsed, wall, speed: Number(sandbox.speed) || 1, paused: Boolean(sandbox.paused) };
  }

  /**
   * Replace everything with a server snapshot. With `reset` (the sandbox was reset) the timeline starts again
   * from it: the history before belongs to a cluster that no longer exists.
   */
  applySnapshot(message, { reset = false } = {}) {
    if (reset) {
      this.base = null;
      this.history = [];
      this.historyEvents = 0;
      this.olderHistory = false;
    }
    this.objects = mapOf(message.objects);
    this.kindIndex = null;
    this.resourceVersion = message.resourceVersion || "";
    this.time = message.time || this.time;
    if (message.sandbox) this.sandbox = message.sandbox;
    this.setClock(message.time);
    const entry = { snapshot: new Map(this.objects), resourceVersion: this.resourceVersion, time: this.time,
      events: [], changes: message.recent || [] };
    if (!this.base) this.base = entry;
    else this.pushHistory(entry);
    const diff = { reset: true, added: [...this.objects.keys()], modified: [], deleted: [], deletedObjects: new Map(),
      changes: [], events: [], sandboxReset: reset, recent: message.recent || [] };
    this.emit(diff);
    return diff;
  }

  /**
   * True when the batch starts after a version this store has not seen: an earlier batch is missing
   * (two publishers, the web process and a worker, may overtake each other), so the caller resyncs.
   */
  missedBefore(message) {
    return Boolean(this.resourceVersion && message.previousResourceVersion
      && compareResourceVersions(message.previousResourceVersion, this.resourceVersion) > 0);
  }

  /**
   * Apply one batch in order. A batch at or below the current resourceVersion (a duplicate after a resync)
   * is ignored and returns null.
   */
  applyBatch(message) {
    if (this.resourceVersion && message.resourceVersion
        && compareResourceVersions(message.resourceVersion, this.resourceVersion) <= 0) return null;
    const events = message.events || [];
    const deletedObjects = new Map();
    for (const event of events) {
      if (event.type === "DELETED" && event.object) {
        const key = keyOf(event.object);
        deletedObjects.set(key, this.objects.get(key) || event.object);
      }
    }
    const diff = applyEvents(this.objects, events);
    this.kindIndex = null;
    diff.reset = false;
    diff.deletedObjects = deletedObjects;
    diff.changes = message.changes || [];
    diff.events = events;
    if (message.resourceVersion) this.resourceVersion = message.resourceVersion;
    if (message.time) this.time = message.time;
    if (message.sandbox) this.sandbox = message.sandbox;
    if (message.time) this.setClock(message.time);
    if (!this.base) {
      this.base = { snapshot: new Map(), resourceVersion: "", time: this.time, events: [], changes: [] };
    }
    this.pushHistory({ resourceVersion: this.resourceVersion, time: this.time, events, changes: diff.changes });
    this.emit(diff);
    return diff;
  }

  /** Record a new sandbox state (speed, pause, components). */
  applySandbox(sandbox) {
    // Re-anchor where the old speed has run to (or at the time the server sends), then run at the new speed.
    const running = simulatedNow(this.clock, this.wallNow());
    this.sandbox = sandbox;
    if (sandbox.time) this.setClock(sandbox.time);
    else if (Number.isFinite(running)) this.setClock(new Date(running * 1000).toISOString());
    const diff = { reset: false, added: [], modified: [], deleted: [], deletedObjects: new Map(), changes: [],
      events: [], sandbox: true };
    this.emit(diff);
    return diff;
  }

  /**
   * Put the recorded history before what this page saw: `entries` (oldest first, from historyEntries) up to the
   * page's first state. The timeline then starts at the sandbox's first state (or its reset). Returns the number
   * of entries added.
   */
  prependHistory(entries) {
    const baseVersion = this.base?.resourceVersion;
    const older = entries.filter((e) => !baseVersion || compareResourceVersions(e.resourceVersion, baseVersion) <= 0);
    if (!older.length || !this.base) return 0;
    const baseObjects = this.base.snapshot;
    // The state after the last older entry is the page's first state: keep it as a snapshot there, so that
    // rebuilding a later moment never replays the whole history.
    older[older.length - 1] = { ...older[older.length - 1], snapshot: new Map(baseObjects) };
    this.base = { snapshot: stateBefore(baseObjects, older), resourceVersion: "", time: older[0].time, events: [],
      changes: [] };
    this.history = [...older, ...this.history];
    this.historyEvents += older.reduce((sum, e) => sum + e.events.length, 0);
    this.olderHistory = false;
    return older.length;
  }

  pushHistory(entry) {
    this.history.push(entry);
    this.historyEvents += entry.events.length;
    while (this.historyEvents > this.historyLimit && this.history.length > 1) this.foldOldest();
  }

  foldOldest() {
    const entry = this.history.shift();
    this.historyEvents -= entry.events.length;
    if (entry.snapshot) {
      this.base = entry;
      return;
    }
    const objects = new Map(this.base.snapshot);
    applyEvents(objects, entry.events);
    this.base = { snapshot: objects, resourceVersion: entry.resourceVersion, time: entry.time, events: [],
      changes: entry.changes };
  }

  /** Number of timeline positions: 0 is the oldest kept state, `length` is now. */
  get timelineLength() {
    return this.history.length;
  }

  /** The timeline entry that leads to position `index` (1..length), or the base for 0. */
  entryAt(index) {
    return index <= 0 ? this.base : this.history[index - 1];
  }

  /** The cluster as it was at timeline position `index`: rebuilt from the nearest snapshot plus the events after it. */
  viewAt(index) {
    const end = Math.max(0, Math.min(index, this.history.length));
    let start = end;
    while (start > 0 && !this.history[start - 1].snapshot) start -= 1;
    const origin = start === 0 ? this.base : this.history[start - 1];
    const objects = new Map(origin ? origin.snapshot : []);
    for (let i = start; i < end; i += 1) applyEvents(objects, this.history[i].events);
    const entry = this.entryAt(end) || {};
    return new ClusterView(objects, { resourceVersion: entry.resourceVersion, time: entry.time,
      sandbox: this.sandbox });
  }
}
