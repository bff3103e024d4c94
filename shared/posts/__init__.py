"""Blog posts: rich-text bodies made safe with nh3, draft/scheduled/published states, SEO fields."""
