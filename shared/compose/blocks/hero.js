// Accepts: an image, a heading, a short text and up to two buttons. Usage: the opening banner of the
// home page or a landing page. Without an image it shows a soft theme-coloured backdrop.
const schema = {
  name: "Hero",
  description: "A large banner with a heading, text and buttons over an optional image.",
  settings: [
    { id: "eyebrow", type: "text", label: "Small text above the heading", default: "" },
    { id: "heading", type: "text", label: "Heading", default: "Made by hand, sold with care" },
    { id: "text", type: "textarea", label: "Text", default: "Discover this season's new arrivals, straight from our shop floor." },
    { id: "button_label", type: "text", label: "Button label", default: "Shop now" },
    { id: "button_link", type: "url", label: "Button link", default: "/collections/all" },
    { id: "button2_label", type: "text", label: "Second button label", default: "" },
    { id: "button2_link", type: "url", label: "Second button link", default: "" },
    { id: "image", type: "image", label: "Background image" },
    {
      id: "height", type: "select", label: "Height", default: "medium",
      options: [
        { value: "small", label: "Small" },
        { value: "medium", label: "Medium" },
        { value: "large", label: "Large" },
      ],
    },
    {
      id: "alignment", type: "select", label: "Content alignment", default: "center",
      options: [
        { value: "left", label: "Left" },
        { value: "center", label: "Center" },
      ],
    },
    { id: "overlay", type: "range", label: "Image darkening (%)", default: 35, min: 0, max: 80, step: 5 },
  ],
};

// An image setting may arrive as a resolved Image, a plain URL, or an unresolved id (shown as none).
function asImage(value) {
  if (value && typeof value === "object" && (value.hash || value.src)) return value;
  if (typeof value === "string" && /^(https?:\/\/|\/)/.test(value)) return { src: value, alt: "" };
  return null;
}

function pick(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}

function render(ctx, h) {
  const s = ctx.settings;
  const image = asImage(s.image);
  const height = pick(s.height, ["small", "medium", "large"], "medium");
  const align = pick(s.alignment, ["left", "center"], "center");
  const overlay = Math.min(80, Math.max(0, Number(s.overlay) || 0)) / 100;
  const buttons = [
    s.button_label && s.button_link ? h.html`<a class="vs-button" href="${h.safeUrl(s.button_link)}">${s.button_label}</a>` : "",
    s.button2_label && s.button2_link
      ? h.html`<a class="vs-button vs-button--secondary" href="${h.safeUrl(s.button2_link)}">${s.button2_label}</a>` : "",
  ].filter(Boolean);
  return h.html`<section class="${h.classes("vs-hero", `vs-hero--${height}`, `vs-hero--${align}`,
    image ? "vs-hero--image" : "vs-hero--plain")}"${image ? h.raw(` style="--vs-overlay: ${overlay}"`) : ""}>
  ${image ? h.html`<div class="vs-hero__media">${h.image(image, { sizes: "100vw", eager: true, width: 1600, class: "vs-hero__img" })}</div>` : ""}
  <div class="vs-hero__content vs-container">
    <div class="vs-hero__box">
      ${s.eyebrow ? h.html`<p class="vs-eyebrow">${s.eyebrow}</p>` : ""}
      ${s.heading ? h.html`<h1 class="vs-hero__heading">${s.heading}</h1>` : ""}
      ${s.text ? h.html`<p class="vs-hero__text">${s.text}</p>` : ""}
      ${buttons.length > 0 ? h.html`<div class="vs-button-row">${buttons}</div>` : ""}
    </div>
  </div>
</section>`;
}
