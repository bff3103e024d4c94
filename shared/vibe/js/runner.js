// The page runner: renders every block of one page in ONE call (a mini-racer call costs ~0.3 ms
// however small, so per-block calls would dominate). Evaluated after harden.js with the helpers
// module as `lib`; yields { define, refuse, forget, render } whose handles only the host holds:
// nothing here is reachable from the (frozen) global object, so a block cannot redefine another
// block or keep data for the next render.
(function (lib) {
  "use strict";
  const factories = new Map();
  // Product snapshots already sent for (catalog version, product ids): frozen, so reusing one across
  // renders leaks nothing; it saves moving the same data into V8 on every page view.
  const productSets = new Map();
  const PRODUCT_SETS = 8;
  const { makeHelpers, SafeHtml } = lib;

  function deepFreeze(value) {
    if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze(value[key]);
    return value;
  }

  // An error text crosses into Python and into logs: keep it short. A block can throw a 500 M
  // character string (`s += s` costs nothing) or give its error a getter that returns one.
  const MAX_ERROR_CHARS = 2000;

  function clip(text) {
    const value = String(text);
    return value.length > MAX_ERROR_CHARS ? `${value.slice(0, MAX_ERROR_CHARS)}\u2026` : value;
  }

  function textOf(thrown) {
    try {
      if (thrown instanceof Error) {
        // The throw site is the first stack FRAME in block.js ("\n    at render (block.js:3:9)");
        // frames end the stack, so a huge message before them is not scanned. (A message can fake
        // a frame line, but it only misleads its own author.)
        const stack = String(thrown.stack || "");
        const tail = stack.length > 16384 ? stack.slice(-16384) : stack;
        const where = /\n\s+at (?:.*?\()?block\.js:(\d+):(\d+)/.exec(tail);
        const at = where ? ` (line ${Number(where[1]) - 1}, column ${where[2]})` : "";
        return clip(`${clip(thrown.name)}: ${clip(thrown.message)}${at}`);
      }
      const what = typeof thrown === "string" ? thrown : Object.prototype.toString.call(thrown);
      return clip(`Uncaught ${clip(what)}`);
    } catch (_) {
      return "Uncaught exception";
    }
  }

  function define(key, factory) {
    if (typeof factory !== "function") throw new TypeError("factory must be a function");
    factories.set(key, factory);
    return factories.size;
  }

  /** Remember that V8 refused to compile this code version (acorn accepted it): its blocks fail. */
  function refuse(key, message) {
    factories.set(key, String(message));
    return factories.size;
  }

  function forget(key) { return factories.delete(key); }

  function renderOne(block, shared, products, h, limits) {
    const factory = factories.get(block.key);
    if (factory === undefined) return { ok: false, kind: "error", error: "Block code was not compiled" };
    if (typeof factory === "string") return { ok: false, kind: "error", error: factory };
    const render = factory();
    if (typeof render !== "function") {
      return { ok: false, kind: "error", error: "The block does not declare function render(ctx, h)" };
    }
    const ctx = deepFreeze({
      ...shared,
      block: { id: block.id, kind: block.kind },
      settings: block.settings || {},
      products: (block.products || []).map((id) => products[id]).filter(Boolean),
      collections: block.collections || [],
      posts: block.posts || [],
    });
    let out = render(ctx, h);
    if (out instanceof SafeHtml) out = String(out);
    else if (out === null || out === undefined) out = "";
    else if (typeof out !== "string") {
      return { ok: false, kind: "error", error: "render(ctx, h) must return a string (or h.html`...`)" };
    }
    if (out.length > limits.maxBlockChars) {
      return {
        ok: false, kind: "output",
        error: `Output is ${out.length} characters, over the ${limits.maxBlockChars} limit for one block`,
      };
    }
    return { ok: true, html: out };
  }

  function productSet(key, json) {
    if (json) {
      const products = deepFreeze(JSON.parse(json));
      if (key) {
        productSets.delete(key);
        productSets.set(key, products);
        if (productSets.size > PRODUCT_SETS) productSets.delete(productSets.keys().next().value);
      }
      return products;
    }
    const cached = productSets.get(key);
    if (cached === undefined) throw new Error("product snapshot missing");
    return cached;
  }

  /**
   * pageJson: JSON text of { env, shared, blocks, limits }; productsJson: JSON text of the products by
   * id, or "" to reuse the snapshot sent earlier under productsKey. Returns JSON text of the results.
   */
  function render(pageJson, productsKey, productsJson) {
    const page = JSON.parse(pageJson);
    const shared = deepFreeze(page.shared || {});
    const products = productSet(productsKey, productsJson);
    const h = makeHelpers(page.env || {});
    const limits = page.limits;
    const results = [];
    let total = 0;
    for (const block of page.blocks) {
      let result;
      try {
        result = renderOne(block, shared, products, h, limits);
      } catch (thrown) {
        result = { ok: false, kind: "error", error: textOf(thrown) };
      }
      if (result.ok) {
        total += result.html.length;
        if (total > limits.maxPageChars) {
          result = { ok: false, kind: "output", error: `The page's output is over ${limits.maxPageChars} characters` };
        }
      }
      results.push(result);
    }
    return JSON.stringify(results);
  }

  return Object.freeze({ define, refuse, forget, render });
})
