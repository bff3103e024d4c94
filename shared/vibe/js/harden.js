// Runtime hardening for a vibe-block rendering context. Evaluated once, first, in every new context.
//
// The AST validator refuses the obvious escapes; this file makes the same escapes fail at run time
// too, because computed access (`x['constr' + 'uctor']`) passes any static check. After it runs:
// - no code generation: eval is gone, and every function kind's `constructor` is a poisoned function
//   (V8 also runs with --disallow-code-generation-from-strings);
// - no WebAssembly, SharedArrayBuffer, Atomics, weak references, and nothing that queues work which
//   outlives a call (Promise, queueMicrotask, Array.fromAsync): blocks render synchronously;
// - no legacy RegExp statics (RegExp.lastMatch and friends carry data from one call to the next);
// - every intrinsic reachable from the global object, the hidden ones (generator, iterator, segment
//   prototypes...), and the global object itself are frozen, so no block can leave state behind for
//   the next render;
// - strings cannot be blown up past a cap in one step (V8's memory limit misses one huge string).
//   This only keeps honest mistakes cheap: `s += s` still builds huge strings, and V8 builtins fed
//   huge strings or sparse arrays can abort the process or run for minutes without an interrupt
//   check; that is why contexts live in a killable worker process (../worker.py).
(function harden(global) {
  "use strict";
  const MAX_STRING = 4 * 1024 * 1024;

  const removed = [
    "eval", "WebAssembly", "SharedArrayBuffer", "Atomics", "WeakRef", "FinalizationRegistry",
    "Promise", "AsyncDisposableStack", "queueMicrotask", "setTimeout", "setInterval", "clearTimeout",
    "clearInterval", "__timer_manager", "console", "print", "readline", "load", "quit", "gc", "d8",
    "Realm", "os", "version",
  ];
  for (const name of removed) {
    const desc = Object.getOwnPropertyDescriptor(global, name);
    if (desc === undefined) continue;
    if (desc.configurable) delete global[name];
    else if (desc.writable) global[name] = undefined; // mini-racer's own timer globals cannot be deleted
    else throw new Error(`cannot remove ${name}`);
  }
  delete Array.fromAsync;

  const regexpStatics = ["input", "$_", "lastMatch", "$&", "lastParen", "$+", "leftContext", "$`",
    "rightContext", "$'", "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9"];
  for (const name of regexpStatics) delete RegExp[name];

  function poisoned() {
    throw new TypeError("Creating functions from strings is not allowed in vibe blocks");
  }
  Object.freeze(poisoned);
  const functionPrototypes = [
    Function.prototype,
    Object.getPrototypeOf(function* () {}),
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(async function* () {}),
  ];
  for (const proto of functionPrototypes) {
    Object.defineProperty(proto, "constructor", {
      value: poisoned, writable: false, enumerable: false, configurable: false,
    });
  }
  Object.defineProperty(global, "Function", {
    value: poisoned, writable: false, enumerable: false, configurable: false,
  });

  // Coerce `this` and the length ONCE and hand the original only primitives: a valueOf/toString that
  // answers small to the check and huge to the original (time-of-check/time-of-use) gets nowhere.
  function capLength(method) {
    const original = String.prototype[method];
    return function (count, ...rest) {
      if (this === null || this === undefined || typeof this === "symbol") {
        return original.call(this); // the original throws the right TypeError
      }
      const text = String(this);
      const n = +count; // ToNumber, as the original would (throws for BigInt and Symbol)
      const size = method === "repeat" ? n * text.length : n;
      if (size > MAX_STRING) throw new RangeError(`String.${method} result is over the size limit`);
      return original.call(text, n, ...rest);
    };
  }
  for (const method of ["repeat", "padStart", "padEnd"]) {
    Object.defineProperty(String.prototype, method, {
      value: capLength(method), writable: true, enumerable: false, configurable: true,
    });
  }

  // mini-racer's setTimeout polyfill declares `class __TimerManager` at the top level of a script: a
  // lexical binding, not a global property, so deleting globals does not remove it. Blocks cannot
  // name it (`__` names are refused) and it needs the removed Atomics, but freeze it all the same.
  let timerManager;
  try { timerManager = __TimerManager; } catch (_) { timerManager = undefined; }

  // Intrinsics that no global property leads to, reached through a throwaway object that has them
  // in its prototype chain or among its accessors: %GeneratorFunction.prototype% (and the async
  // kinds), the iterator prototypes, %IteratorHelperPrototype%, %WrapForValidIteratorPrototype%,
  // Intl's %SegmentsPrototype% and %SegmentIteratorPrototype%, %TypedArray%, and the shared
  // accessor functions V8 puts on error objects. Any of these left extensible would let one render
  // leave state (a property on a shared prototype) for the next.
  const segments = new Intl.Segmenter().segment("");
  const hiddenSeeds = [
    timerManager,
    function* () {}, async function () {}, async function* () {},
    [].values(), new Map().values(), new Set().values(), ""[Symbol.iterator](), "a".matchAll(/a/g),
    [].values().map((x) => x), Iterator.from({ next() { return { done: true }; } }),
    segments, segments[Symbol.iterator](), Uint8Array, new Error("seed"),
  ];

  // Deep-freeze everything reachable from the global object and the seeds: own properties,
  // prototypes, getters and setters. Symbols count too (well-known symbols are primitives).
  const seen = new WeakSet();
  const stack = [global, ...hiddenSeeds];
  while (stack.length > 0) {
    const value = stack.pop();
    if ((typeof value !== "object" && typeof value !== "function") || value === null) continue;
    if (seen.has(value)) continue;
    seen.add(value);
    Object.freeze(value);
    stack.push(Object.getPrototypeOf(value));
    for (const key of Reflect.ownKeys(value)) {
      const desc = Object.getOwnPropertyDescriptor(value, key);
      if (desc === undefined) continue;
      if ("value" in desc) stack.push(desc.value);
      if (desc.get) stack.push(desc.get);
      if (desc.set) stack.push(desc.set);
    }
  }
  return true;
})(globalThis);
