// Accepts: a heading, an intro and a list of questions with formatted answers. Usage: shipping and
// returns questions on the home page or a "Help" page. Each answer opens without JavaScript.
const schema = {
  name: "FAQ",
  description: "Frequently asked questions, each answer in an expandable row.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Frequently asked questions" },
    { id: "text", type: "textarea", label: "Intro text", default: "" },
    {
      id: "items", type: "list", label: "Questions", max: 30,
      fields: [
        { id: "question", type: "text", label: "Question", default: "" },
        { id: "answer", type: "richtext", label: "Answer", default: "" },
      ],
      default: [
        { question: "How long does shipping take?", answer: "<p>Orders ship within one business day. Delivery usually takes 2 to 5 business days within the country.</p>" },
        { question: "Can I pick up my order in store?", answer: "<p>Yes. Choose <strong>Pickup</strong> at checkout and we will e-mail you as soon as your order is ready.</p>" },
        { question: "What is your return policy?", answer: "<p>Unused items can be returned within 30 days for a full refund. Bring them to the shop or send them back with the included label.</p>" },
      ],
    },
    { id: "open_first", type: "checkbox", label: "Open the first answer", default: false },
  ],
};

function render(ctx, h) {
  const s = ctx.settings;
  const items = (Array.isArray(s.items) ? s.items : []).filter((item) => item && item.question);
  return h.html`<section class="vs-faq">
  <div class="vs-container vs-container--narrow">
    ${s.heading || s.text ? h.html`<div class="vs-section__header">
      ${s.heading ? h.html`<h2 class="vs-section__title">${s.heading}</h2>` : ""}
      ${s.text ? h.html`<p class="vs-section__text">${s.text}</p>` : ""}
    </div>` : ""}
    ${items.length > 0
      ? h.html`<div class="vs-faq__list">${items.map((item, i) => h.html`<details class="vs-faq__item"${s.open_first && i === 0 ? h.raw(" open") : ""}>
          <summary class="vs-faq__question"><span>${item.question}</span><span class="vs-faq__icon" aria-hidden="true"></span></summary>
          <div class="vs-faq__answer vs-rte">${h.raw(item.answer || "")}</div>
        </details>`)}</div>`
      : h.html`<div class="vs-empty"><p>Questions and answers will appear here.</p></div>`}
  </div>
</section>`;
}
