// The one-page checkout's script (no framework): re-quotes when the address, delivery or code change,
// then pays: /checkout/start (holds the units) -> Stripe.js confirmCardSetup (a pm_...) ->
// /checkout/pay -> 3DS with confirmCardPayment when asked -> /checkout/confirm -> the order page.
(function () {
  "use strict";
  var form = document.getElementById("ck-form");
  var config = JSON.parse(document.getElementById("ck-config").textContent);
  var payButton = document.getElementById("ck-pay");
  var stripe = null, card = null, appliedCode = "", timer = null;
  if (config.stripe && window.Stripe) {
    stripe = window.Stripe(config.stripe.publishableKey);
    card = stripe.elements().create("card");
    card.mount("#ck-card");
  }
  function $(id) { return document.getElementById(id); }
  function value(name) { var el = form.elements[name]; return el ? (el.value || "").trim() : ""; }
  function delivery() { var el = form.querySelector("input[name=delivery]:checked"); return el ? el.value : "ship"; }
  function checked(name) { var el = document.querySelector("input[name=" + name + "]:checked"); return el ? el.value : ""; }
  function body() {
    var address = {};
    ["country_code", "name", "company_name", "street_address", "city_area", "city", "country_area",
     "postal_code", "sorting_code"].forEach(function (n) { if (form.elements[n]) address[n] = value(n); });
    var pickup = delivery() === "pickup";
    return {email: value("email"), delivery: delivery(), address: address, code: appliedCode,
            shippingOptionId: pickup ? checked("pickup_option") : (checked("shipping_option") || null),
            paymentMethod: checked("payment_method") || "stripe"};
  }
  function clearErrors() {
    document.querySelectorAll(".ck-error").forEach(function (p) { p.textContent = ""; });
    document.querySelectorAll(".is-invalid").forEach(function (f) { f.classList.remove("is-invalid"); });
    document.querySelectorAll("[aria-invalid]").forEach(function (f) { f.removeAttribute("aria-invalid"); });
  }
  function showError(field, message) {
    var p = $("ck-" + field + "-error");
    if (!p || p.closest("[hidden]")) p = $("ck-payment-error");   // a field not shown now: by the payment
    p.textContent = message;
    var box = document.querySelector("[data-field=" + field + "]");
    if (box) {
      box.classList.add("is-invalid");
      var input = box.querySelector("input,select");
      if (input) input.setAttribute("aria-invalid", "true");
    }
    return p;
  }
  function post(path, data) {
    return fetch(path, {method: "POST", headers: {"Content-Type": "application/json"}, credentials: "same-origin",
                        body: JSON.stringify(data)}).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) { json._status = r.status; return json; });
    }, function () { return {_status: 0, error: {field: "payment", message: "The shop could not be reached. Check your connection and try again."}}; });
  }
  function showProblems(answer) {
    var first = null;
    (answer.errors || (answer.error ? [answer.error] : [])).forEach(function (e) {
      var p = showError(e.field || "payment", e.message);
      if (!first) first = p;
    });
    if (first) {
      var box = first.closest("[data-field]");
      var input = box && box.querySelector("input,select");
      (input || payButton).focus();      // keyboard users land on what to fix
    }
  }
  function applyQuote(answer) {
    if (answer.summaryHtml) $("ck-summary").innerHTML = answer.summaryHtml;
    if (answer.optionsHtml !== undefined) $("ck-options").innerHTML = answer.optionsHtml;
  }
  function requote(withCode) {
    var data = body();
    if (withCode !== undefined) data.code = withCode;
    heldAt = Date.now();
    return post("/checkout/quote", data).then(function (answer) {
      if (answer._status === 429) { showError("code", answer.error ? answer.error.message : "Too many tries."); return; }
      if (answer._status >= 400 && !answer.summaryHtml) {   // sold out meanwhile: say what, by the lines
        $("ck-hold").textContent = "";
        if (answer.error && answer.error.field === "lines") showError("lines", answer.error.message);
        return;
      }
      $("ck-lines-error").textContent = "";
      if (answer.heldText !== undefined) showHold(answer.heldUntil, answer.heldText);
      applyQuote(answer);
      if (withCode !== undefined) {
        $("ck-code-error").textContent = "";
        document.querySelector("[data-field=code]").classList.remove("is-invalid");
        if (answer.codeProblem) showError("code", answer.codeProblem);
        else appliedCode = withCode;
      }
    });
  }
  // "held for you until 14:32" in the shopper's own time (the server's text is in the store's time zone).
  function showHold(until, text) {
    var when = until ? new Date(until) : null;
    $("ck-hold").textContent = when && !isNaN(when) ? "Your items are held for you until " +
      when.toLocaleTimeString([], {hour: "numeric", minute: "2-digit"}) + "." : (text || "");
  }
  showHold($("ck-hold").getAttribute("data-until"), $("ck-hold").textContent);
  // The units stay held while the shopper is active: any input after a minute's quiet holds them again.
  var heldAt = Date.now();
  ["input", "pointerdown", "keydown"].forEach(function (type) {
    form.addEventListener(type, function () { if (Date.now() - heldAt > 60000 && !payButton.disabled) requote(); });
  });
  function later() { clearTimeout(timer); timer = setTimeout(function () { requote(); }, 350); }
  function switchDelivery() {
    var pickup = delivery() === "pickup";
    $("ck-ship").hidden = pickup;
    if ($("ck-pickup")) $("ck-pickup").hidden = !pickup;
    var store = $("ck-pay-in-store");
    if (store) {
      store.hidden = !pickup;
      if (!pickup && checked("payment_method") === "pay_in_store" && stripe) form.querySelector("input[value=stripe]").checked = true;
    }
    switchPayment();
    requote();
  }
  function switchPayment() {
    var box = $("ck-card-box");
    if (box) box.hidden = checked("payment_method") !== "stripe";
    payButton.textContent = checked("payment_method") === "pay_in_store" ? "Complete order" : "Pay now";
  }
  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name === "delivery") return switchDelivery();
    if (name === "payment_method") return switchPayment();
    if (name === "country_code") return changeCountry();
    if (["shipping_option", "pickup_option", "country_area", "postal_code", "email"].indexOf(name) >= 0) later();
  });
  // The country's own address form replaces the fields. What the shopper typed meanwhile is read when
  // the form arrives and put back (a field the new form lacks is dropped), focus stays where it was, and
  // an answer overtaken by a newer choice of country is ignored. aria-busy says a form is on its way.
  var countryTurn = 0;
  function changeCountry() {
    var turn = ++countryTurn, box = $("ck-address");
    box.setAttribute("aria-busy", "true");
    fetch("/checkout/address-form?country=" + encodeURIComponent(value("country_code"))).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (answer) {
      if (turn !== countryTurn) return;
      box.removeAttribute("aria-busy");
      if (!answer) return;
      var keep = {}, active = document.activeElement;
      var focused = active && box.contains(active) ? active.name : "";
      Array.prototype.forEach.call(box.querySelectorAll("input[name], select[name]"), function (field) {
        if (field.name !== "country_code" && field.value) keep[field.name] = field.value;
      });
      box.innerHTML = answer.html;
      Object.keys(keep).forEach(function (k) { if (form.elements[k]) form.elements[k].value = keep[k]; });
      if (focused && form.elements[focused]) form.elements[focused].focus();
      requote();
    }).catch(function () { if (turn === countryTurn) box.removeAttribute("aria-busy"); });
  }
  $("ck-apply").addEventListener("click", function () { requote($("ck-code").value.trim()); });
  $("ck-code").addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); requote($("ck-code").value.trim()); }
  });
  function finish(answer) {
    if (answer.orderUrl) { window.location.assign(answer.orderUrl); return true; }
    return false;
  }
  function fail(answer) {
    clearErrors();
    showProblems(answer);
    if (answer.summaryHtml) applyQuote(answer);
    $("ck-hold").textContent = "";
    payButton.disabled = false;
    requote();       // a failed payment gave the units back: hold them again while the shopper retries
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var data = body();
    if (data.paymentMethod === "stripe" && !stripe) {
      showError("payment", "Card payments are not available right now.");
      return;
    }
    payButton.disabled = true;
    post("/checkout/start", data).then(function (started) {
      if (!started.attemptId) return fail(started);
      showHold(started.heldUntil, started.heldText);
      if (data.paymentMethod !== "stripe") return pay(started.attemptId, "");
      return stripe.confirmCardSetup(started.payment.clientSecret, {payment_method: {card: card}}).then(function (result) {
        if (result.error || !result.setupIntent) {
          return post("/checkout/cancel", {attemptId: started.attemptId}).then(function () {
            fail({error: {field: "payment", message: (result.error && result.error.message) || "Check your card details."}});
          });
        }
        return pay(started.attemptId, result.setupIntent.payment_method);
      });
    });
  });
  function pay(attemptId, paymentMethod) {
    return post("/checkout/pay", {attemptId: attemptId, paymentMethodId: paymentMethod}).then(function (answer) {
      if (finish(answer)) return;
      if (answer.requiresAction && stripe) {
        return stripe.confirmCardPayment(answer.clientSecret).then(function () {
          return post("/checkout/confirm", {attemptId: attemptId}).then(function (confirmed) {
            if (!finish(confirmed)) fail(confirmed);
          });
        });
      }
      fail(answer);
    });
  }
  switchPayment();
})();
