"""The demo store's catalogue: a small coastal goods shop with apparel, home goods and accessories."""

from __future__ import annotations

# (title, drawing kind, product type, base price in cents, compare-at cents or None, options, colours, tags, text)
# options: "size" -> S/M/L/XL, "candle" -> 8 oz/12 oz, "print" -> A3/A2, "card" -> $25/$50/$100, None -> colour only
PRODUCTS: list[tuple] = [
    ("Harbor Classic Tee", "tee", "T-shirts", 2800, None, "size", ["#2f4b6e", "#d8c8a8", "#3f5e4a"], ["cotton", "bestseller"],
     "Our everyday tee in heavyweight organic cotton, garment-dyed for a soft, lived-in feel from the first wear."),
    ("Pine Pocket Tee", "tee", "T-shirts", 3200, None, "size", ["#3f5e4a", "#f1efe9"], ["cotton"],
     "A relaxed fit with a reinforced chest pocket. Pre-shrunk, so the size you buy is the size you keep."),
    ("Lighthouse Graphic Tee", "tee", "T-shirts", 3400, 4200, "size", ["#f1efe9", "#2f4b6e"], ["cotton", "sale"],
     "Screen-printed in our shop with water-based inks: a hand-drawn lighthouse from the end of Pine Street."),
    ("Organic Crew Tee", "tee", "T-shirts", 2600, None, "size", ["#b4553c", "#e9e2d6", "#1f2a33"], ["cotton", "organic"],
     "A lighter-weight crew neck for warm days. GOTS-certified organic cotton, cut and sewn in Portugal."),
    ("Drift Hoodie", "hoodie", "Sweatshirts", 6800, None, "size", ["#5a6b7b", "#3f5e4a"], ["fleece", "bestseller"],
     "Brushed-back fleece, a roomy hood and a kangaroo pocket big enough for a paperback."),
    ("Fog Zip Hoodie", "hoodie", "Sweatshirts", 7400, None, "size", ["#a7adb3", "#1f2a33"], ["fleece"],
     "A full-zip hoodie with a two-way metal zip and ribbed cuffs that keep their shape."),
    ("Tidewater Crewneck", "hoodie", "Sweatshirts", 5800, 6800, "size", ["#c9b79c", "#2f4b6e"], ["fleece", "sale"],
     "Loopback cotton sweatshirt with a vintage wash. The one you will reach for every morning."),
    ("Watch Cap Beanie", "beanie", "Hats", 2400, None, None, ["#b4553c", "#2f4b6e", "#3f3f3f"], ["wool"],
     "A classic fisherman's watch cap in soft lambswool. One size, folds to fit."),
    ("Ribbed Merino Beanie", "beanie", "Hats", 3600, None, None, ["#6f7f5c", "#d8c8a8"], ["wool", "merino"],
     "Fine merino in a deep rib: warm without the itch, and light enough to keep in a pocket."),
    ("Dockside Cap", "cap", "Hats", 2900, None, None, ["#2f4b6e", "#c9b79c"], ["cotton"],
     "A six-panel cap in washed cotton twill with a brass buckle strap."),
    ("Canvas Trucker Cap", "cap", "Hats", 2700, None, None, ["#3f5e4a", "#1f2a33"], ["canvas"],
     "Structured canvas front, breathable mesh back, embroidered pine tree."),
    ("Stoneware Mug", "mug", "Mugs", 2200, None, None, ["#5a7d8c", "#e9e2d6", "#b4553c"], ["ceramic", "bestseller"],
     "Thrown and glazed by a potter two towns over. Holds a generous 12 oz; dishwasher safe."),
    ("Enamel Camp Mug", "mug", "Mugs", 1800, None, None, ["#f1efe9", "#2f4b6e"], ["enamel"],
     "Steel with a glass-hard enamel coat and a rolled rim. Goes from the campfire to the desk."),
    ("Harbor Espresso Cups (Set of 2)", "mug", "Mugs", 2400, None, None, ["#1f2a33"], ["ceramic", "gift"],
     "Two 3 oz cups with a matte exterior and a glossy inside. Stackable."),
    ("Cedar & Sea Salt Candle", "candle", "Candles", 3200, None, "candle", ["#5a7d8c"], ["candle", "bestseller"],
     "Hand-poured soy wax with notes of cedarwood, sea salt and a little smoke. Up to 60 hours."),
    ("Pine Forest Candle", "candle", "Candles", 3200, None, "candle", ["#3f5e4a"], ["candle"],
     "Fir needle, balsam and a hint of citrus: a walk in the woods after rain."),
    ("Lavender Fog Candle", "candle", "Candles", 3000, 3600, "candle", ["#8a7fa6"], ["candle", "sale"],
     "French lavender and white tea for slow evenings. Cotton wick, reusable glass jar."),
    ("Linen Tea Towel", "textile", "Kitchen", 1600, None, None, ["#d8c8a8", "#5a7d8c"], ["linen"],
     "Stonewashed European linen that dries glasses without lint and gets softer every wash."),
    ("Waffle Bath Towel", "textile", "Bath", 4200, None, None, ["#f1efe9", "#a7adb3"], ["cotton"],
     "A light, quick-drying waffle weave from Turkish cotton. Folds small for travel."),
    ("Coastline Art Print", "print", "Prints", 4500, None, "print", ["#5a7d8c"], ["art"],
     "A giclée print of our coastline on 300 gsm cotton rag paper. Signed by the artist."),
    ("Lighthouse Art Print", "print", "Prints", 4500, None, "print", ["#b4553c"], ["art"],
     "The Pine Street lighthouse at dusk, printed with archival pigment inks."),
    ("Botanical Print Set", "print", "Prints", 6800, None, "print", ["#6f7f5c"], ["art", "gift"],
     "Three pressed-fern studies, printed on textured paper. Frames not included."),
    ("Waxed Canvas Tote", "tote", "Bags", 5400, None, None, ["#8c6a43", "#3f5e4a"], ["canvas", "bestseller"],
     "Water-resistant waxed canvas with leather handles and an inside zip pocket."),
    ("Market Tote", "tote", "Bags", 2800, None, None, ["#e9e2d6", "#1f2a33"], ["canvas"],
     "Heavy cotton canvas with a gusseted base. Carries a week of groceries without complaint."),
    ("Field Notebook (3-Pack)", "notebook", "Stationery", 1500, None, None, ["#b4553c", "#2f4b6e"], ["paper", "gift"],
     "Pocket notebooks with dot-grid pages and a sturdy kraft cover, stitched to lie flat."),
    ("Wool Scarf", "textile", "Accessories", 4800, 5800, None, ["#8c3a3a", "#5a6b7b"], ["wool", "sale"],
     "A generous scarf woven in a Scottish mill from lambswool. Fringed ends."),
    ("Harbor Socks", "textile", "Accessories", 1400, None, "size", ["#2f4b6e", "#b4553c"], ["wool"],
     "Merino-blend crew socks with a cushioned sole. Made to outlast your boots."),
    ("Enamel Pin Set", "round", "Accessories", 1600, None, None, ["#2f4b6e"], ["gift"],
     "Three hard-enamel pins: a lighthouse, a pine tree and a wave. Rubber clutches."),
    ("Sea Glass Coasters", "round", "Home", 3000, None, None, ["#7fa8a4", "#a7adb3"], ["glass", "gift"],
     "A set of four coasters of recycled glass with cork backs, each one a little different."),
    ("Canvas Apron", "tote", "Kitchen", 3800, None, None, ["#3f5e4a", "#8c6a43"], ["canvas"],
     "A cross-back apron with two deep pockets and a towel loop. Adjusts to fit everyone."),
    ("Gift Card", "card", "Gift cards", 2500, None, "card", ["#2f4b6e"], ["gift"],
     "Let them choose. Delivered by e-mail, never expires, spendable online and in the shop."),
    ("Driftwood Incense", "candle", "Home", 1800, None, None, ["#8c6a43"], ["home"],
     "Slow-burning sticks of sandalwood and driftwood smoke. 40 sticks with a ceramic holder."),
]

COLOR_NAMES = {
    "#2f4b6e": "Navy", "#d8c8a8": "Sand", "#3f5e4a": "Forest", "#f1efe9": "Natural", "#b4553c": "Rust",
    "#e9e2d6": "Oat", "#1f2a33": "Charcoal", "#5a6b7b": "Slate", "#a7adb3": "Fog", "#c9b79c": "Driftwood",
    "#3f3f3f": "Black", "#6f7f5c": "Moss", "#5a7d8c": "Harbor Blue", "#8a7fa6": "Lavender", "#8c6a43": "Tobacco",
    "#8c3a3a": "Oxblood", "#7fa8a4": "Sea Glass",
}

OPTION_SETS = {
    "size": ("Size", [("S", 0), ("M", 0), ("L", 0), ("XL", 200)]),
    "candle": ("Size", [("8 oz", 0), ("12 oz", 1000)]),
    "print": ("Size", [("A3", 0), ("A2", 2000)]),
    "card": ("Amount", [("$25", 0), ("$50", 2500), ("$100", 7500)]),
}

COLLECTIONS = [
    ("new-arrivals", "New arrivals", "Fresh from the workshop and the makers we love.", "newest"),
    ("apparel", "Apparel", "Tees, sweatshirts and hats for the harbour breeze.", "manual"),
    ("home-kitchen", "Home & kitchen", "Mugs, candles, linens and prints for slow mornings.", "manual"),
    ("accessories", "Accessories", "Bags, notebooks and the little things that make a day.", "manual"),
]
APPAREL_TYPES = {"T-shirts", "Sweatshirts", "Hats"}
HOME_TYPES = {"Mugs", "Candles", "Kitchen", "Bath", "Prints", "Home"}
