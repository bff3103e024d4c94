// Starter block: three to four big numbers with a caption each ("12 years", "4,000 happy customers").
const schema = {
  name: "Numbers row",
  description: "A few big figures that tell your story at a glance.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Small shop, big numbers" },
    {
      id: "items", type: "list", label: "Figures", default: [
        { figure: "12", caption: "years on Harbor Street" },
        { figure: "4,000+", caption: "happy customers" },
        { figure: "100%", caption: "cotton and linen" },
      ],
      fields: [
        { id: "figure", type: "text", label: "Figure" },
        { id: "caption", type: "text", label: "Caption" },
      ],
    },
  ],
};

function render(ctx, h) {
  const s = ctx.settings;
  const items = (s.items ?? []).slice(0, 4).map((item) => h.html`
      <div class="vs-stats__item"><strong>${item.figure}</strong><span>${item.caption}</span></div>`);
  return h.html`<section class="vs-rich-text vs-rich-text--center vs-stats">
  <style>
    .vs-stats__grid { display: grid; gap: 1.5rem; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr));
      margin-top: 2rem; }
    .vs-stats__item strong { display: block; font-size: 2.5rem; line-height: 1.1; color: var(--vs-color-accent); }
    .vs-stats__item span { color: var(--vs-color-muted); }
  </style>
  <div class="vs-container">
    ${s.heading ? h.html`<h2 class="vs-rich-text__heading">${s.heading}</h2>` : ""}
    <div class="vs-stats__grid">${items}</div>
  </div>
</section>`;
}
