"""The demo store's pages (blocks and their settings), its custom blocks, and its journal posts.

Setting ids match the built-in blocks' schemas; 'media:KEY' stands for an image imported by seed.py.
"""

from __future__ import annotations

from typing import Any

# A block a merchant wrote themselves: shop hours, today's row highlighted (block code, not a built-in).
SHOP_HOURS = """// Accepts: a heading and the opening hours of each day. Usage: the contact page.
const schema = {
  name: "Shop hours",
  description: "Opening hours for the week, with today highlighted.",
  settings: [
    { id: "heading", type: "text", label: "Heading", default: "Opening hours" },
    { id: "note", type: "textarea", label: "Note", default: "" },
    {
      id: "days", type: "list", label: "Days",
      fields: [
        { id: "day", type: "text", label: "Day" },
        { id: "hours", type: "text", label: "Hours" },
      ],
    },
  ],
};

function render(ctx, h) {
  const s = ctx.settings;
  const today = new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone: "America/New_York" }).format(new Date());
  const rows = (s.days ?? []).map(({ day, hours }) => h.html`
      <tr class="${day === today ? "is-today" : ""}">
        <th scope="row">${day}${day === today ? h.html` <span class="vs-badge">Today</span>` : ""}</th>
        <td>${hours}</td>
      </tr>`);
  // A merchant's own block may bring its own styles; theme colours come from the --vs-* variables.
  return h.html`<section class="vs-rich-text vs-rich-text--center vs-shop-hours">
  <style>
    .vs-shop-hours table { width: 100%; max-width: 26rem; margin: 1.5rem auto 0; border-collapse: collapse; }
    .vs-shop-hours th, .vs-shop-hours td { padding: 0.75rem 0.25rem; text-align: left; font-weight: 400;
      border-bottom: 1px solid var(--vs-color-border); }
    .vs-shop-hours td { text-align: right; font-variant-numeric: tabular-nums; }
    .vs-shop-hours .is-today th, .vs-shop-hours .is-today td { font-weight: 700; }
    .vs-shop-hours .vs-badge { margin-left: 0.5rem; vertical-align: middle; }
    .vs-shop-hours .vs-muted { margin-top: 1rem; }
  </style>
  <div class="vs-container vs-container--narrow">
    <h2 class="vs-rich-text__heading">${s.heading}</h2>
    <table>${rows}</table>
    ${s.note ? h.html`<p class="vs-muted">${s.note}</p>` : ""}
  </div>
</section>`;
}
"""

CUSTOM_BLOCKS = {"shop-hours": SHOP_HOURS}

_HOURS = [("Monday", "Closed"), ("Tuesday", "10:00 – 18:00"), ("Wednesday", "10:00 – 18:00"),
          ("Thursday", "10:00 – 19:00"), ("Friday", "10:00 – 19:00"), ("Saturday", "9:00 – 19:00"),
          ("Sunday", "11:00 – 16:00")]

PAGES: list[tuple[str, str, str, list[tuple[str, dict[str, Any]]]]] = [
    ("home", "Home", "Organic cotton tees, stoneware mugs, hand-poured candles and waxed canvas bags from the Maine coast.", [
        ("announcement-bar", {"text": "Free shipping on orders over $75. Free pick-up at our Pine Street shop.",
                              "link_label": "Shop new arrivals", "link": "/collections/new-arrivals"}),
        ("hero", {"eyebrow": "New this season", "heading": "Everyday goods, made to last",
                  "text": "Tees, mugs, candles and bags we would use ourselves: made by people we know, "
                          "sold from our little shop by the harbour.",
                  "button_label": "Shop new arrivals", "button_link": "/collections/new-arrivals",
                  "button2_label": "Our story", "button2_link": "/pages/about", "image": "media:hero",
                  "height": "large", "alignment": "left", "overlay": 30}),
        ("product-grid", {"heading": "New arrivals", "text": "Fresh from the workshop and the makers we love.",
                          "collection": "new-arrivals", "limit": 8, "columns": "4"}),
        ("collection-list", {"heading": "Shop by collection", "limit": 4, "columns": "4"}),
        ("image-with-text", {"image": "media:story", "eyebrow": "Since 2009", "heading": "A shop by the harbour",
                             "text": "<p>We started with one market stall and a handful of regulars. Today we still "
                                     "choose every piece ourselves, and pack every order by hand in the back room "
                                     "of our Pine Street shop.</p>",
                             "button_label": "Read our story", "button_link": "/pages/about",
                             "image_position": "left", "image_ratio": "portrait", "background": "surface"}),
        ("featured-product", {"product": "waxed-canvas-tote", "eyebrow": "Staff favourite"}),
        ("testimonials", {"heading": "Kind words from our customers"}),
        ("blog-posts", {"heading": "From the journal", "limit": 2}),
        ("newsletter", {"heading": "Letters from the harbour",
                        "text": "New arrivals, restocks and news from the shop, once a month. No spam."}),
    ]),
    ("about", "About us", "How a market stall on the Maine coast became Harbor & Pine.", [
        ("rich-text", {"eyebrow": "About us", "heading": "Made to last, sold with care", "heading_level": "h1",
                       "text": "<p>Harbor &amp; Pine began in 2009 as a folding table at the Port Clyde farmers' "
                               "market. We sold a few screen-printed tees and the mugs a friend threw in her "
                               "garage.</p><p>Fifteen years on we have a shop on Pine Street, a warehouse on "
                               "Wharf Road and a team of six, but the idea has not changed: fewer, better things, "
                               "made by people we know.</p>", "alignment": "center"}),
        ("image-with-text", {"image": "media:story", "heading": "Our makers",
                             "text": "<p>Our ceramics come from a studio twenty minutes up the coast; our candles "
                                     "are poured in small batches in Rockland; our tees are cut and sewn in "
                                     "Portugal from GOTS-certified organic cotton.</p>",
                             "image_position": "right", "image_ratio": "portrait"}),
        ("testimonials", {"heading": "What people say", "background": "surface"}),
    ]),
    ("faq", "FAQ", "Shipping, returns, pick-up and care: answers to the questions we hear most.", [
        ("faq", {"heading": "Frequently asked questions", "open_first": True, "items": [
            {"question": "How long does shipping take?",
             "answer": "<p>Orders placed before noon ship the same day. Within the US, delivery takes 2–5 "
                       "business days. Orders over $75 ship free.</p>"},
            {"question": "Can I pick up my order in the shop?",
             "answer": "<p>Yes. Choose <strong>Pick up at Pine Street</strong> at checkout and we will e-mail "
                       "you when it is ready, usually within two hours.</p>"},
            {"question": "What is your return policy?",
             "answer": "<p>Return anything unused within 30 days for a full refund. Returns are free in the "
                       "US; we include a label in every parcel.</p>"},
            {"question": "How should I wash my tee?",
             "answer": "<p>Cold wash, inside out, and hang to dry. Our tees are pre-shrunk, so they keep their "
                       "size.</p>"},
            {"question": "Do you offer gift wrapping?",
             "answer": "<p>Every order can be gift wrapped in recycled paper with a handwritten note, free of "
                       "charge.</p>"},
        ]}),
        ("rich-text", {"heading": "Still have a question?",
                       "text": "<p>Write to us at hello@harborandpine.example or call the shop. A real person "
                               "answers, usually within a day.</p>",
                       "button_label": "Contact us", "button_link": "/pages/contact", "alignment": "center",
                       "background": "surface"}),
    ]),
    ("contact", "Contact", "Visit, call or write to Harbor & Pine in Port Clyde, Maine.", [
        ("rich-text", {"eyebrow": "Contact", "heading": "Come and see us", "heading_level": "h1",
                       "text": "<p><strong>Harbor &amp; Pine</strong><br>14 Pine Street, Port Clyde, ME 04855</p>"
                               "<p>Phone: +1 (207) 555-0142<br>E-mail: hello@harborandpine.example</p>",
                       "alignment": "center"}),
        ("shop-hours", {"heading": "Opening hours", "note": "Open late on Thursdays and Fridays in summer.",
                        "days": [{"day": d, "hours": t} for d, t in _HOURS]}),
        ("newsletter", {"heading": "Hear from us first", "background": "accent"}),
    ]),
]

POSTS = [
    ("how-we-choose-our-makers", "How we choose our makers",
     "Every piece in the shop comes from someone we have met. Here is what we look for.",
     "<p>When someone asks where a mug or a candle comes from, we like to be able to answer with a name and a "
     "town. That is the first rule: we buy from people, not catalogues.</p><h2>Made nearby, where we can</h2>"
     "<p>Half of what we sell is made within a day's drive of the shop. The rest comes from small workshops we "
     "have visited, from Portugal to Scotland.</p><h2>Made to be used</h2><p>We test everything at home first. "
     "If a mug chips in the dishwasher or a tote's handle gives, it does not make the shelf.</p>", 12, "journal"),
    ("caring-for-waxed-canvas", "Caring for waxed canvas",
     "A little wax every year keeps a canvas bag going for decades. A quick guide.",
     "<p>Waxed canvas gets better with age: it creases, darkens and takes on the shape of how you carry it.</p>"
     "<h2>Cleaning</h2><p>Brush off dirt once it is dry, and wipe with a damp cloth. Never use soap or a washing "
     "machine: both strip the wax.</p><h2>Re-waxing</h2><ol><li>Warm the bag in the sun or with a hair dryer."
     "</li><li>Rub in a bar of fabric wax in small circles.</li><li>Heat again so it soaks in, then let it rest "
     "overnight.</li></ol>", 30, "story"),
]


def footer_settings() -> dict[str, Any]:
    """The footer's settings for the demo theme."""
    return {
        "menu_heading": "Information",
        "columns": [{"heading": "Harbor & Pine",
                     "text": "Everyday goods, made to last. Visit our shop at 14 Pine Street, open six days a week.",
                     "link_label": "Our story", "link_url": "/pages/about"}],
        "show_contact": True, "show_social": True,
    }
