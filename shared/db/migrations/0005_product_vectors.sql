-- Related products: one vector per product, computed locally from its words (shared/catalog/vectors.py,
-- no network model), in libSQL's native vector index.
CREATE TABLE product_vectors (
    product_id  TEXT PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    embedding   F32_BLOB(256) NOT NULL,
    source_hash TEXT NOT NULL                 -- of the text it was made from: stale vectors are redone
);
CREATE INDEX product_vectors_index ON product_vectors (libsql_vector_idx(embedding));
