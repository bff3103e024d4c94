// Accepts: an image, a heading, formatted text and an optional button. Usage: a brand story, a
// product highlight or a "Visit our shop" section, image beside the text on wider screens.
const schema = {
  name: "Image with text",
  description: "An image beside a heading, text and a button.",
  settings: [
    { id: "image", type: "image", label: "Image" },
    { id: "eyebrow", type: "text", label: "Small text above the heading", default: "" },
    { id: "heading", type: "text", label: "Heading", default: "Visit us in store" },
    {
      id: "text", type: "richtext", label: "Text",
      default: "<p>Come by to see the full range, ask us anything and pick up your online orders for free.</p>",
    },
    { id: "button_label", type: "text", label: "Button label", default: "" },
    { id: "button_link", type: "url", label: "Button link", default: "" },
    {
      id: "image_position", type: "select", label: "Image position on desktop", default: "left",
      options: [
        { value: "left", label: "Image first" },
        { value: "right", label: "Image second" },
      ],
    },
    {
      id: "image_ratio", type: "select", label: "Image shape", default: "square",
      options: [
        { value: "square", label: "Square" },
        { value: "portrait", label: "Portrait" },
        { value: "landscape", label: "Landscape" },
      ],
    },
    {
      id: "background", type: "select", label: "Background", default: "default",
      options: [
        { value: "default", label: "Page background" },
        { value: "surface", label: "Soft" },
        { value: "accent", label: "Accent colour" },
      ],
    },
  ],
};

const PLACEHOLDER = '<svg class="vs-placeholder__art" viewBox="0 0 64 64" aria-hidden="true" focusable="false"><rect x="10" y="14" width="44" height="36" rx="3"/><circle cx="24" cy="26" r="4"/><path d="M10 44l13-12 9 8 7-6 15 12"/></svg>';

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
  const position = pick(s.image_position, ["left", "right"], "left");
  const ratio = pick(s.image_ratio, ["square", "portrait", "landscape"], "portrait");
  const scheme = pick(s.background, ["default", "surface", "accent"], "default");
  return h.html`<section class="${h.classes("vs-image-text", `vs-image-text--${position}`, `vs-scheme--${scheme}`)}">
  <div class="vs-container vs-image-text__grid">
    <div class="${h.classes("vs-image-text__media", `vs-ratio--${ratio}`)}">
      ${image ? h.image(image, { sizes: "(min-width: 750px) 50vw, 100vw", width: 960, class: "vs-image-text__img" })
        : h.html`<div class="vs-placeholder">${h.raw(PLACEHOLDER)}</div>`}
    </div>
    <div class="vs-image-text__content">
      ${s.eyebrow ? h.html`<p class="vs-eyebrow">${s.eyebrow}</p>` : ""}
      ${s.heading ? h.html`<h2 class="vs-image-text__heading">${s.heading}</h2>` : ""}
      ${s.text ? h.html`<div class="vs-rte">${h.raw(s.text)}</div>` : ""}
      ${s.button_label && s.button_link
        ? h.html`<div class="vs-button-row"><a class="vs-button" href="${h.safeUrl(s.button_link)}">${s.button_label}</a></div>` : ""}
    </div>
  </div>
</section>`;
}
