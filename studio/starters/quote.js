// Starter block: one large quotation with who said it.
const schema = {
  name: "Big quote",
  description: "One quotation, large, with its author.",
  settings: [
    { id: "quote", type: "textarea", label: "Quote", default: "The best things in our shop are the ones we use ourselves." },
    { id: "author", type: "text", label: "Author", default: "Mara, founder" },
  ],
};

function render(ctx, h) {
  const s = ctx.settings;
  return h.html`<section class="vs-section vs-big-quote">
  <style>
    .vs-big-quote blockquote { margin: 0 auto; max-width: 46rem; text-align: center; }
    .vs-big-quote p { font-size: clamp(1.5rem, 3vw, 2.25rem); line-height: 1.3; margin: 0 0 1rem; }
    .vs-big-quote cite { font-style: normal; color: var(--vs-color-muted); }
  </style>
  <div class="vs-container">
    <blockquote><p>“${s.quote}”</p>${s.author ? h.html`<cite>— ${s.author}</cite>` : ""}</blockquote>
  </div>
</section>`;
}
