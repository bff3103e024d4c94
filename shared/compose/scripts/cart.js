/* Vibeshop cart script: progressive enhancement, no framework. Without it everything still works
   (forms post to /cart/add, /cart shows the cart). With it: add to cart without a reload, a cart drawer,
   and the header's count badge filled from /cart.js after load (cached pages carry no shopper data).
   Built with DOM methods and textContent only: no data from the server is ever parsed as HTML. */
(function () {
  "use strict";
  if (window.__vsCart) return;
  window.__vsCart = true;

  var state = { cart: null, drawer: null, lastFocus: null };
  var live = el("div", "vs-visually-hidden");
  live.setAttribute("aria-live", "polite");
  live.setAttribute("role", "status");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function money(amount, cart) {
    var digits = cart.currency_minor_units == null ? 2 : cart.currency_minor_units;
    var value = amount / Math.pow(10, digits);
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined, {
        style: "currency", currency: cart.currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
      }).format(value);
    } catch (e) {
      return value.toFixed(digits) + " " + cart.currency;
    }
  }

  function request(path, body) {
    var options = { credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.description || data.message || "Something went wrong.");
        return data;
      });
    });
  }

  function refresh() {
    return request("/cart.js").then(show);
  }

  function show(cart) {
    state.cart = cart;
    badge(cart.item_count);
    if (state.drawer) fillDrawer(cart);
    return cart;
  }

  function plural(n) {
    return n + (n === 1 ? " item" : " items");
  }

  function badge(count) {
    var links = document.querySelectorAll(".vs-header__cart");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      link.setAttribute("aria-label", "Cart, " + plural(count));
      var bubble = link.querySelector(".vs-header__count");
      if (count > 0) {
        if (!bubble) {
          bubble = el("span", "vs-header__count");
          bubble.setAttribute("aria-hidden", "true");
          link.appendChild(bubble);
        }
        bubble.textContent = count > 99 ? "99+" : String(count);
      } else if (bubble) {
        bubble.remove();
      }
    }
  }

  function announce(text) {
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  // --- the drawer ------------------------------------------------------------------------------

  function buildDrawer() {
    var root = el("div", "vs-drawer");
    root.hidden = true;
    var backdrop = el("div", "vs-drawer__backdrop");
    backdrop.addEventListener("click", closeDrawer);
    var panel = el("div", "vs-drawer__panel");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "true");
    panel.setAttribute("aria-labelledby", "vs-drawer-title");
    panel.tabIndex = -1;
    var head = el("div", "vs-drawer__head");
    var title = el("h2", "vs-drawer__title", "Your cart");
    title.id = "vs-drawer-title";
    var close = el("button", "vs-drawer__close");
    close.type = "button";
    close.setAttribute("aria-label", "Close cart");
    close.textContent = "\u00d7";
    close.addEventListener("click", closeDrawer);
    head.append(title, close);
    var message = el("p", "vs-drawer__message");
    message.setAttribute("role", "alert");
    var body = el("div", "vs-drawer__body");
    var foot = el("div", "vs-drawer__foot");
    panel.append(head, message, body, foot);
    root.append(backdrop, panel);
    root.addEventListener("keydown", trap);
    document.body.appendChild(root);
    state.drawer = { root: root, panel: panel, body: body, foot: foot, close: close, message: message };
  }

  function fillDrawer(cart) {
    var d = state.drawer;
    d.body.textContent = "";
    d.foot.textContent = "";
    if (!cart.items.length) {
      d.body.append(el("p", "vs-drawer__empty", "Your cart is empty."));
      var shop = el("a", "vs-button vs-button--secondary vs-button--full", "Continue shopping");
      shop.href = "/collections/all";
      d.foot.append(shop);
      return;
    }
    var list = el("ul", "vs-drawer__lines");
    cart.items.forEach(function (item) { list.append(drawerLine(item, cart)); });
    d.body.append(list);
    var subtotal = el("p", "vs-drawer__subtotal");
    subtotal.append(el("span", null, "Subtotal"), el("strong", null, money(cart.total_price, cart)));
    var note = el("p", "vs-drawer__note", "Taxes and shipping are calculated at checkout.");
    var checkout = el("a", "vs-button vs-button--full", "Check out");
    checkout.href = "/checkout";
    if (!cart.ready_for_checkout) {
      checkout.setAttribute("aria-disabled", "true");
      checkout.classList.add("is-disabled");
      checkout.removeAttribute("href");
      note.textContent = "Remove or change the items marked above to check out.";
    }
    var view = el("a", "vs-drawer__view", "View cart");
    view.href = "/cart";
    d.foot.append(subtotal, note, checkout, view);
  }

  function drawerLine(item, cart) {
    var li = el("li", "vs-drawer__line");
    if (item.image) {
      var img = el("img", "vs-drawer__img");
      img.src = item.image;
      img.alt = "";
      img.width = 72;
      img.height = 72;
      li.append(img);
    } else {
      li.append(el("span", "vs-drawer__img vs-drawer__img--none"));
    }
    var info = el("div", "vs-drawer__info");
    var name = el(item.url ? "a" : "span", "vs-drawer__name", item.product_title);
    if (item.url) name.href = item.url;
    info.append(name);
    if (item.variant_title) info.append(el("p", "vs-drawer__variant", item.variant_title));
    if (item.price != null) info.append(el("p", "vs-drawer__price", money(item.line_price, cart)));
    (item.notices || []).forEach(function (n) { info.append(el("p", "vs-drawer__notice", n.message)); });
    var qty = el("div", "vs-drawer__qty");
    var label = item.product_title + (item.variant_title ? ", " + item.variant_title : "");
    qty.append(
      stepper("\u2212", "Decrease quantity of " + label, item, item.quantity - 1),
      el("span", "vs-drawer__count", String(item.quantity)),
      stepper("+", "Increase quantity of " + label, item, item.quantity + 1),
    );
    var remove = el("button", "vs-drawer__remove", "Remove");
    remove.type = "button";
    remove.setAttribute("aria-label", "Remove " + label);
    remove.addEventListener("click", function () { change(item, 0); });
    info.append(qty, remove);
    li.append(info);
    return li;
  }

  function stepper(text, label, item, quantity) {
    var button = el("button", "vs-drawer__step", text);
    button.type = "button";
    button.setAttribute("aria-label", label);
    if (item.price == null || quantity > 999 || (quantity > item.quantity && quantity > item.available)) {
      button.disabled = true;
    }
    button.addEventListener("click", function () { change(item, quantity); });
    return button;
  }

  function change(item, quantity) {
    state.drawer.message.textContent = "";
    request("/cart/change.js", { id: item.key, quantity: quantity }).then(function (cart) {
      show(cart);
      announce(quantity === 0 ? "Removed " + item.product_title + ". Cart, " + plural(cart.item_count)
        : "Cart, " + plural(cart.item_count));
      state.drawer.panel.focus();
    }).catch(function (error) {
      state.drawer.message.textContent = error.message;
    });
  }

  function openDrawer() {
    if (!state.drawer) buildDrawer();
    var d = state.drawer;
    if (state.cart) fillDrawer(state.cart);
    if (d.root.hidden) state.lastFocus = document.activeElement;
    d.root.hidden = false;
    document.documentElement.classList.add("vs-drawer-open");
    setInert(true);
    window.requestAnimationFrame(function () { d.root.classList.add("is-open"); });
    d.close.focus();
  }

  function closeDrawer() {
    var d = state.drawer;
    if (!d || d.root.hidden) return;
    d.root.classList.remove("is-open");
    d.root.hidden = true;
    document.documentElement.classList.remove("vs-drawer-open");
    setInert(false);
    if (state.lastFocus && state.lastFocus.focus) state.lastFocus.focus();
  }

  // The rest of the page is inert while the drawer is open: screen readers and Tab stay inside it.
  function setInert(on) {
    var children = document.body.children;
    for (var i = 0; i < children.length; i++) {
      var child = children[i];
      if (child === state.drawer.root || child === live) continue;
      if (on) child.setAttribute("inert", "");
      else child.removeAttribute("inert");
    }
  }

  function trap(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      closeDrawer();
      return;
    }
    if (event.key !== "Tab") return;
    var focusable = state.drawer.panel.querySelectorAll("a[href], button:not([disabled]), input:not([disabled])");
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && (document.activeElement === first || document.activeElement === state.drawer.panel)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  // --- adding from a product form ------------------------------------------------------------------

  function formMessage(form, text) {
    var box = form.querySelector(".vs-cart-message");
    if (!box) {
      box = el("p", "vs-cart-message");
      box.setAttribute("role", "alert");
      form.append(box);
    }
    box.textContent = text;
  }

  function onSubmit(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.getAttribute("action") !== "/cart/add") return;
    event.preventDefault();
    var data = new FormData(form);
    var button = form.querySelector("[type=submit]");
    if (button) button.setAttribute("aria-busy", "true");
    formMessage(form, "");
    request("/cart/add.js", {
      id: data.get("variant_id") || data.get("id"),
      quantity: Number(data.get("quantity") || 1),
    }).then(function (item) {
      return refresh().then(function (cart) {
        announce("Added " + item.title + " to the cart. Cart, " + plural(cart.item_count));
        openDrawer();
      });
    }).catch(function (error) {
      formMessage(form, error.message);
    }).then(function () {
      if (button) button.removeAttribute("aria-busy");
    });
  }

  function onClick(event) {
    var link = event.target.closest && event.target.closest(".vs-header__cart");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (location.pathname === "/cart") return;
    event.preventDefault();
    openDrawer();
    if (!state.cart) refresh().catch(function () {});
  }

  function start() {
    document.body.append(live);
    document.addEventListener("submit", onSubmit);
    document.addEventListener("click", onClick);
    refresh().catch(function () {});
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
