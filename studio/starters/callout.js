// Starter block: a bordered note with a heading, a sentence and a button ("Gift cards are here").
const schema = {
  name: "Callout",
  description: "A framed note that stands out between other sections.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Gift cards are here" },
    { id: "text", type: "textarea", label: "Text", default: "Give the gift of choice: in any amount, in the shop or online." },
    { id: "button_label", type: "text", label: "Button label", default: "Ask in the shop" },
    { id: "button_link", type: "url", label: "Button link", default: "/pages/contact" },
  ],
};

function render(ctx, h) {
  const s = ctx.settings;
  return h.html`<section class="vs-section vs-callout">
  <style>
    .vs-callout__box { border: 2px solid var(--vs-color-accent); border-radius: var(--vs-radius, 8px);
      padding: 2rem; display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: center; justify-content: space-between; }
    .vs-callout__box h2 { margin: 0 0 0.25rem; }
    .vs-callout__box p { margin: 0; color: var(--vs-color-muted); }
  </style>
  <div class="vs-container">
    <div class="vs-callout__box">
      <div><h2>${s.heading}</h2><p>${s.text}</p></div>
      ${s.button_label && s.button_link
        ? h.html`<a class="vs-button" href="${h.safeUrl(s.button_link)}">${s.button_label}</a>` : ""}
    </div>
  </div>
</section>`;
}
