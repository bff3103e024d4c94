/* Vibeshop live stock: progressive enhancement of the product page. The page as served is right when it
   is rendered; this keeps it right while the shopper looks at it. It follows GET /live/stock (Server-Sent
   Events, cloud/server/availability.py) for the products of the page's [data-vs-live-stock] sections and
   flips the selected variant's button, badge and stock line, and the option markers, between "Sold out"
   and "Add to cart". The browser's EventSource reconnects by itself with Last-Event-ID; the server then
   sends the current state. Where there is no server to ask (the studio's preview) it does nothing.
   Built with DOM methods and textContent only: no data from the server is ever parsed as HTML. */
(function () {
  "use strict";
  if (window.__vsStock) return;
  window.__vsStock = true;

  var SOLD_OUT = "Sold out";
  var ADD = "Add to cart";
  var SUFFIX = " \u2013 Sold out";
  var MAX_RESTARTS = 6;

  var roots = Array.prototype.slice.call(document.querySelectorAll("[data-vs-live-stock]"));
  if (roots.length === 0 || typeof window.EventSource !== "function") return;
  if (location.protocol !== "http:" && location.protocol !== "https:") return;   // the studio's preview

  var products = [];
  roots.forEach(function (root) {
    var id = root.getAttribute("data-vs-live-stock");
    if (id && products.indexOf(id) < 0) products.push(id);
  });
  var url = "/live/stock?" + products.map(function (id) { return "product=" + encodeURIComponent(id); }).join("&");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function each(root, selector, fn) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  function optionMarkers(root, variantId, state) {
    each(root, "a[data-vs-variant]", function (link) {
      if (link.getAttribute("data-vs-variant") !== variantId) return;
      link.classList.toggle("vs-option__value--unavailable", !state.available);
      var hidden = link.querySelector(".vs-visually-hidden");
      if (!state.available && !hidden) link.appendChild(el("span", "vs-visually-hidden", " (sold out)"));
      if (state.available && hidden) hidden.remove();
    });
    each(root, "select[name=variant] option", function (option) {
      if (option.value !== variantId) return;
      var text = option.textContent;
      var marked = text.slice(-SUFFIX.length) === SUFFIX;
      if (!state.available && !marked) option.textContent = text + SUFFIX;
      if (state.available && marked) option.textContent = text.slice(0, -SUFFIX.length);
    });
  }

  function stockLine(line, state) {
    var threshold = Number(line.getAttribute("data-vs-low-stock")) || 0;
    var kind = "in";
    var text = "In stock";
    if (!state.available) {
      kind = "out";
      text = SOLD_OUT;
    } else if (state.inventory > 0 && state.inventory <= threshold) {
      kind = "low";
      text = "Low stock: only " + state.inventory + " left";
    }
    line.classList.remove("vs-stock--in", "vs-stock--out", "vs-stock--low");
    line.classList.add("vs-stock--" + kind);
    var last = line.lastChild;
    if (last && last.nodeType === 3) last.textContent = text;
    else line.appendChild(document.createTextNode(text));
  }

  function selectedVariant(root, state) {
    each(root, ".vs-main-product__submit", function (button) {
      button.disabled = !state.available;
      button.textContent = state.available ? ADD : SOLD_OUT;
    });
    each(root, ".vs-input--qty", function (input) { input.disabled = !state.available; });
    each(root, ".vs-main-product__price", function (price) {
      var badge = price.querySelector(".vs-badge--muted");
      if (!state.available && !badge) price.appendChild(el("span", "vs-badge vs-badge--muted", SOLD_OUT));
      if (state.available && badge) badge.remove();
    });
    each(root, ".vs-stock", function (line) { stockLine(line, state); });
  }

  function apply(variants) {
    roots.forEach(function (root) {
      var selected = root.getAttribute("data-vs-selected");
      Object.keys(variants).forEach(function (variantId) {
        var state = variants[variantId];
        if (!state || typeof state.available !== "boolean") return;
        optionMarkers(root, variantId, state);
        if (variantId === selected) selectedVariant(root, state);
      });
    });
  }

  var restarts = 0;

  function connect() {
    var source;
    try {
      source = new EventSource(url);
    } catch (e) {
      return;
    }
    source.addEventListener("open", function () { restarts = 0; });
    source.addEventListener("stock", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data && typeof data.variants === "object" && data.variants) apply(data.variants);
    });
    source.addEventListener("error", function () {
      // The browser retries a dropped stream by itself; a refused one (an error status) it closes:
      // try again a few times, later each time, then leave the page as it is.
      if (source.readyState !== EventSource.CLOSED || restarts >= MAX_RESTARTS) return;
      restarts += 1;
      setTimeout(connect, 1000 * Math.pow(2, restarts));
    });
  }

  connect();
})();
