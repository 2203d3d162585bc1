-- extenddb data database: every table's items, addressed by storage id and encoded key.
-- `key` is the order-preserving key encoding, so bytea (memcmp) order is DynamoDB's order.
-- `item` holds the stored item bytes exactly as core produced them.
CREATE TABLE items (
    storage_id bigint NOT NULL,
    key        bytea  NOT NULL,
    item       bytea  NOT NULL,
    size       int    NOT NULL,
    PRIMARY KEY (storage_id, key)
);

-- Item count and size per table, kept in the writing transaction. Split into shards (chosen by
-- the writing connection) so concurrent writers to one table do not serialize on one row;
-- DescribeTable sums the shards.
CREATE TABLE table_stats (
    storage_id bigint NOT NULL,
    shard      int    NOT NULL,
    item_count bigint NOT NULL DEFAULT 0,
    size_bytes bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (storage_id, shard)
);

-- Locks the keys of a write transaction (advisory locks on their 64-bit hashes, given sorted
-- and distinct, so that keys that do not exist yet are locked too) and then reads them. One
-- round trip; VOLATILE so the read takes a snapshot after the locks are held (READ COMMITTED).
CREATE FUNCTION extenddb_lock_read(hashes bigint[], sids bigint[], keys bytea[])
RETURNS TABLE (ord bigint, item bytea)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(h) FROM unnest(hashes) AS h;
    RETURN QUERY
        SELECT r.ord, i.item
        FROM unnest(sids, keys) WITH ORDINALITY AS r(sid, key, ord)
        JOIN items i ON i.storage_id = r.sid AND i.key = r.key;
END;
$$;
