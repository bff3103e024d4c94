// Static checks of a vibe block, run in the validator's own V8 context after the vendored acorn.
// Yields validate(source) -> JSON text of { errors: [{line, column, message}], schema, hasRender }.
// The deny list is documented in docs/vibe-blocks.md; keep the two in step.
(function (acorn) {
  "use strict";

  const DENIED_NAMES = new Set([
    "eval", "Function", "AsyncFunction", "GeneratorFunction", "AsyncGeneratorFunction",
    "globalThis", "global", "window", "self", "frames", "parent", "top", "arguments",
    "Promise", "queueMicrotask", "setTimeout", "setInterval", "setImmediate",
    "WebAssembly", "SharedArrayBuffer", "Atomics", "WeakRef", "FinalizationRegistry",
    "require", "module", "exports", "process", "importScripts", "fetch", "XMLHttpRequest",
  ]);
  const DENIED_PROPERTIES = new Set([
    "constructor", "__proto__", "__defineGetter__", "__defineSetter__", "__lookupGetter__",
    "__lookupSetter__", "caller", "callee",
  ]);
  const PREFIX = '"use strict";';
  const REASONS = {
    eval: "code generation is not allowed",
    Function: "code generation is not allowed",
    globalThis: "the global object is not reachable from a block",
    Promise: "blocks render synchronously: data arrives before render is called",
    arguments: "use rest parameters (...args) instead",
  };

  function staticKey(node, computed) {
    if (!computed && node.type === "Identifier") return node.name;
    if (node.type === "Literal" && (typeof node.value === "string" || typeof node.value === "number")) {
      return String(node.value);
    }
    if (node.type === "TemplateLiteral" && node.expressions.length === 0) return node.quasis[0].value.cooked;
    return null;
  }

  function literalValue(node, fail) {
    switch (node.type) {
      case "Literal":
        if (node.regex || typeof node.value === "bigint") return fail(node, "schema values must be JSON literals");
        return node.value;
      case "TemplateLiteral":
        if (node.expressions.length > 0) return fail(node, "schema strings cannot interpolate");
        return node.quasis[0].value.cooked;
      case "UnaryExpression":
        if (node.operator === "-" && node.argument.type === "Literal" && typeof node.argument.value === "number") {
          return -node.argument.value;
        }
        return fail(node, "schema values must be JSON literals");
      case "ArrayExpression":
        return node.elements.map((el) => (el === null || el.type === "SpreadElement")
          ? fail(el || node, "schema arrays cannot have holes or spreads") : literalValue(el, fail));
      case "ObjectExpression": {
        const out = {};
        for (const prop of node.properties) {
          if (prop.type !== "Property" || prop.kind !== "init" || prop.method || prop.shorthand) {
            fail(prop, "schema objects take plain `key: value` pairs");
            continue;
          }
          const key = staticKey(prop.key, prop.computed);
          if (key === null || key === "__proto__") { fail(prop.key, "schema keys must be plain names"); continue; }
          out[key] = literalValue(prop.value, fail);
        }
        return out;
      }
      default:
        return fail(node, "schema must be a literal object (no code)");
    }
  }

  function validate(source) {
    const errors = [];
    // The "use strict" prefix sits on line 1, so line numbers stay true and line 1's columns shift.
    const fail = (node, message) => {
      const { line, column } = node.loc.start;
      errors.push({ line, column: (line === 1 ? column - PREFIX.length : column) + 1, message });
      return null;
    };
    const prefixed = PREFIX + source;
    const failAt = (offset, message) => fail({ loc: { start: acorn.getLineInfo(prefixed, offset) } }, message);
    let ast;
    try {
      // Blocks run in strict mode, so they are parsed in strict mode.
      ast = acorn.parse(prefixed, {
        ecmaVersion: "latest", sourceType: "script", locations: true, allowHashBang: false,
      });
    } catch (err) {
      const loc = err.loc || { line: 1, column: 0 };
      const column = loc.line === 1 ? Math.max(0, loc.column - PREFIX.length) : loc.column;
      const message = String(err.message).replace(/\s*\(\d+:\d+\)$/, "");
      return JSON.stringify({ errors: [{ line: loc.line, column: column + 1, message: `SyntaxError: ${message}` }] });
    }

    let schema = null;
    let hasRender = false;
    for (const stmt of ast.body) {
      if (stmt.type === "FunctionDeclaration" && stmt.id && stmt.id.name === "render") hasRender = true;
      if (stmt.type === "VariableDeclaration") {
        for (const decl of stmt.declarations) {
          if (decl.id.type !== "Identifier") continue;
          if (decl.id.name === "render" && decl.init &&
              /^(Arrow)?Function(Expression)?$/.test(decl.init.type)) hasRender = true;
          if (decl.id.name === "schema") {
            if (stmt.kind !== "const") fail(stmt, "declare the schema with const");
            if (!decl.init) fail(decl, "schema needs a value");
            else schema = literalValue(decl.init, fail);
          }
        }
      }
    }

    // Walk every node, tracking whether `this` would be bound by an enclosing non-arrow function.
    // An async method is reported at its `async` keyword, not at its FunctionExpression, which acorn
    // starts at the parameter list; `reported` keeps it from being reported twice.
    const reported = new WeakSet();
    const stack = [{ node: ast, thisBound: false }];
    while (stack.length > 0) {
      const { node, thisBound } = stack.pop();
      const deny = (msg) => fail(node, msg);
      let bound = thisBound;
      switch (node.type) {
        case "Identifier":
          if (DENIED_NAMES.has(node.name)) {
            deny(`\`${node.name}\` is not allowed in a block${REASONS[node.name] ? `: ${REASONS[node.name]}` : ""}`);
          } else if (node.name.startsWith("__")) {
            deny(`names starting with __ are reserved (\`${node.name}\`)`);
          }
          break;
        case "ThisExpression":
          if (!thisBound) deny("`this` outside a method or function refers to nothing in a block");
          break;
        case "FunctionDeclaration": case "FunctionExpression":
          if (node.async && !reported.has(node)) {
            deny("async functions are not allowed: blocks render synchronously");
          }
          bound = true;
          break;
        case "ArrowFunctionExpression":
          if (node.async) deny("async functions are not allowed: blocks render synchronously");
          break;
        case "ClassBody": bound = true; break;
        case "AwaitExpression": deny("await is not allowed: blocks render synchronously"); break;
        case "ForOfStatement": if (node.await) deny("for await is not allowed"); break;
        case "ImportExpression": deny("import() is not allowed: blocks cannot load code"); break;
        case "ImportDeclaration": case "ExportNamedDeclaration": case "ExportDefaultDeclaration":
        case "ExportAllDeclaration":
          deny("import/export are not allowed: a block is one script"); break;
        case "MetaProperty":
          if (node.meta.name === "import") deny("import.meta is not allowed"); break;
        case "WithStatement": deny("with is not allowed"); break;
        case "DebuggerStatement": deny("debugger is not allowed"); break;
        case "MemberExpression": {
          const key = staticKey(node.property, node.computed);
          if (key !== null && DENIED_PROPERTIES.has(key)) {
            fail(node.property, `access to \`${key}\` is not allowed in a block`);
          }
          break;
        }
        case "Property": case "MethodDefinition": {
          const key = node.type === "Property" ? staticKey(node.key, node.computed) : null;
          if (key === "__proto__") fail(node.key, "`__proto__` is not allowed in a block");
          const method = node.type === "MethodDefinition" || node.method;
          if (method && node.value.type === "FunctionExpression" && node.value.async) {
            // Point at the `async` keyword itself (after `static`, say); keywords cannot be escaped.
            const at = prefixed.indexOf("async", node.start);
            failAt(at >= node.start && at < node.key.start ? at : node.start,
              "async functions are not allowed: blocks render synchronously");
            reported.add(node.value);
          }
          break;
        }
        default: break;
      }
      for (const field of Object.keys(node)) {
        if (field === "loc" || field === "start" || field === "end") continue;
        const child = node[field];
        // Non-computed member properties and object keys are names, not references.
        if ((node.type === "MemberExpression" && field === "property" && !node.computed) ||
            ((node.type === "Property" || node.type === "MethodDefinition" || node.type === "PropertyDefinition") &&
              field === "key" && !node.computed)) {
          continue;
        }
        if (Array.isArray(child)) {
          for (let i = child.length - 1; i >= 0; i -= 1) {
            if (child[i] && typeof child[i].type === "string") stack.push({ node: child[i], thisBound: bound });
          }
        } else if (child && typeof child.type === "string") {
          stack.push({ node: child, thisBound: bound });
        }
      }
      if (node.type === "ObjectPattern") checkPattern(node, fail);
    }
    errors.sort((a, b) => a.line - b.line || a.column - b.column);
    return JSON.stringify({ errors, schema, hasRender });
  }

  /** `const {constructor} = x` reads x.constructor by name: refuse it like a member access. */
  function checkPattern(pattern, fail) {
    for (const prop of pattern.properties) {
      if (prop.type !== "Property") continue;
      const key = staticKey(prop.key, prop.computed);
      if (key !== null && DENIED_PROPERTIES.has(key)) fail(prop.key, `access to \`${key}\` is not allowed in a block`);
    }
  }

  return validate;
})(acorn)
