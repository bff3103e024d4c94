// Runtime hardening for a vibe-block rendering context. Evaluated once, first, in every new context.
//
// The AST validator refuses the obvious escapes; this file makes the same escapes fail at run time
// too, because computed access (`x['constr' + 'uctor']`) passes any static check. After it runs:
// - no code generation: eval is gone, and every function kind's `constructor` is a poisoned function
//   (V8 also runs with --disallow-code-generation-from-strings);
// - no WebAssembly, SharedArrayBuffer, Atomics, weak references, and nothing that queues work which
//   outlives a call (Promise, queueMicrotask, Array.fromAsync): blocks render synchronously;
// - no legacy RegExp statics (RegExp.lastMatch and friends carry data from one call to the next);
// - every intrinsic reachable from the global object, and the global object itself, is frozen, so no
//   block can leave state behind for the next render;
// - strings cannot be blown up past a cap in one step (V8's memory limit misses one huge string).
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

  function capLength(method) {
    const original = String.prototype[method];
    return function (...args) {
      const count = method === "repeat" ? Number(args[0]) * String(this).length : Number(args[0]);
      if (count > MAX_STRING) throw new RangeError(`String.${method} result is over the size limit`);
      return original.apply(this, args);
    };
  }
  for (const method of ["repeat", "padStart", "padEnd"]) {
    Object.defineProperty(String.prototype, method, {
      value: capLength(method), writable: true, enumerable: false, configurable: true,
    });
  }

  // Deep-freeze everything reachable from the global object: its own properties, their prototypes,
  // getters and setters. Symbols count too (Symbol.prototype, well-known symbols are primitives).
  const seen = new WeakSet();
  const stack = [global];
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
  // Intrinsics that are not reachable by name from the global object.
  for (const hidden of [
    Object.getPrototypeOf(function* () {}).prototype,
    Object.getPrototypeOf([][Symbol.iterator]()),
    Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())),
    Object.getPrototypeOf(new Map()[Symbol.iterator]()),
    Object.getPrototypeOf(new Set()[Symbol.iterator]()),
    Object.getPrototypeOf(""[Symbol.iterator]()),
    Object.getPrototypeOf("a".matchAll(/a/g)),
    Object.getPrototypeOf(Uint8Array),
    Object.getPrototypeOf(Uint8Array.prototype),
  ]) {
    if (hidden) Object.freeze(hidden);
  }
  return true;
})(globalThis);
