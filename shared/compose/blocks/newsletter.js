// Accepts: a heading, a short text and the button label. Usage: an e-mail sign-up near the footer.
// A plain HTML form (POST /newsletter, field "email"); the host redirects back to the page with
// ?subscribed=1, and the block then shows its thank-you message instead of the form.
const schema = {
  name: "Newsletter",
  description: "An e-mail sign-up form.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Join our newsletter" },
    { id: "text", type: "textarea", label: "Text", default: "New arrivals, restocks and the occasional discount. No spam, unsubscribe any time." },
    { id: "button_label", type: "text", label: "Button label", default: "Subscribe" },
    { id: "success_message", type: "text", label: "Thank-you message", default: "Thanks for subscribing! Check your inbox to confirm." },
    {
      id: "background", type: "select", label: "Background", default: "surface",
      options: [
        { value: "default", label: "Page background" },
        { value: "surface", label: "Soft" },
        { value: "accent", label: "Accent colour" },
      ],
    },
  ],
};

function pick(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

function render(ctx, h) {
  const s = ctx.settings;
  const scheme = pick(s.background, ["default", "surface", "accent"], "surface");
  const request = ctx.request || {};
  const done = request.query && request.query.subscribed === "1";
  const id = `vs-newsletter-${ctx.block.id}`;
  const form = done
    ? h.html`<p class="vs-newsletter__success" role="status">${s.success_message || "Thanks for subscribing!"}</p>`
    : h.html`<form class="vs-newsletter__form" action="/newsletter" method="post">
        <input type="hidden" name="return_to" value="${request.path || "/"}">
        <label class="vs-visually-hidden" for="${id}">Email address</label>
        <input class="vs-input" id="${id}" type="email" name="email" required autocomplete="email"
          placeholder="Email address">
        <button class="vs-button" type="submit">${s.button_label || "Subscribe"}</button>
      </form>`;
  return h.html`<section class="${h.classes("vs-newsletter", `vs-scheme--${scheme}`)}">
  <div class="vs-container vs-container--narrow">
    ${s.heading ? h.html`<h2 class="vs-newsletter__heading">${s.heading}</h2>` : ""}
    ${s.text ? h.html`<p class="vs-newsletter__text">${s.text}</p>` : ""}
    ${form}
  </div>
</section>`;
}
