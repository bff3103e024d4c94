-- What a merchant has typed in the studio but not yet saved as a block revision (code that does not
-- validate yet, or was typed in the last moments before the app was killed). Local to one device:
-- it is neither content nor synced; the content version does not move when it changes.
CREATE TABLE editor_drafts (
    key         TEXT PRIMARY KEY,              -- what the text belongs to, e.g. 'block-code:<block id>'
    text        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
