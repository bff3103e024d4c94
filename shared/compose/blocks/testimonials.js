// Accepts: a heading and a list of quotes (quote, author, detail, star rating). Usage: customer
// reviews or press quotes on the home page. Swipeable on phones, a grid on wider screens.
const schema = {
  name: "Testimonials",
  description: "Customer quotes with optional star ratings.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "What our customers say" },
    {
      id: "items", type: "list", label: "Quotes", max: 12,
      fields: [
        { id: "quote", type: "textarea", label: "Quote", default: "" },
        { id: "author", type: "text", label: "Name", default: "" },
        { id: "detail", type: "text", label: "Detail (e.g. city or product)", default: "" },
        { id: "rating", type: "range", label: "Stars (0 hides them)", default: 5, min: 0, max: 5, step: 1 },
      ],
      default: [
        { quote: "Beautifully packed and it arrived two days early. It is even better in person.", author: "Maya R.", detail: "Portland, OR", rating: 5 },
        { quote: "The kind of shop where someone actually answers your email. I am a customer for life.", author: "James T.", detail: "Verified buyer", rating: 5 },
        { quote: "Great quality for the price, and the gift wrapping was a lovely touch.", author: "Priya S.", detail: "Austin, TX", rating: 4 },
      ],
    },
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

const STAR = '<svg viewBox="0 0 20 20" aria-hidden="true" focusable="false"><path d="M10 1.8l2.5 5.2 5.7.8-4.1 4 1 5.7L10 14.8l-5.1 2.7 1-5.7-4.1-4 5.7-.8z"/></svg>';

function pick(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

function stars(h, rating) {
  const n = Math.round(Math.min(5, Math.max(0, Number(rating) || 0)));
  if (n === 0) return "";
  const icons = [1, 2, 3, 4, 5].map((i) => h.raw(`<span class="${i <= n ? "vs-star vs-star--on" : "vs-star"}">${STAR}</span>`));
  return h.html`<p class="vs-testimonial__stars" role="img" aria-label="Rated ${n} out of 5">${icons}</p>`;
}

function render(ctx, h) {
  const s = ctx.settings;
  const scheme = pick(s.background, ["default", "surface", "accent"], "surface");
  const items = (Array.isArray(s.items) ? s.items : []).filter((item) => item && item.quote);
  if (items.length === 0 && !s.heading) return "";
  return h.html`<section class="${h.classes("vs-testimonials", `vs-scheme--${scheme}`)}">
  <div class="vs-container">
    ${s.heading ? h.html`<div class="vs-section__header"><h2 class="vs-section__title">${s.heading}</h2></div>` : ""}
    ${items.length > 0
      ? h.html`<ul class="vs-testimonials__list" role="list">${items.map((item) => h.html`<li class="vs-testimonial">
          <figure>
            ${stars(h, item.rating)}
            <blockquote class="vs-testimonial__quote"><p>${item.quote}</p></blockquote>
            ${item.author || item.detail ? h.html`<figcaption class="vs-testimonial__author">
              ${item.author ? h.html`<span class="vs-testimonial__name">${item.author}</span>` : ""}
              ${item.detail ? h.html`<span class="vs-testimonial__detail">${item.detail}</span>` : ""}
            </figcaption>` : ""}
          </figure>
        </li>`)}</ul>`
      : h.html`<div class="vs-empty"><p>Reviews from happy customers will appear here.</p></div>`}
  </div>
</section>`;
}
