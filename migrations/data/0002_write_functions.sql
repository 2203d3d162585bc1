-- Writes as functions, so that each is one prepared statement and one round trip.

-- Applies deduplicated writes (item NULL = delete) and their `table_stats` delta in one
-- statement. The caller holds the advisory locks of every key, so the statement's snapshot
-- (taken when it starts, after the locks) sees the rows' latest versions and the old sizes
-- are exact. `p_shards` is the number of `table_stats` shards; the writer's backend pid picks one.
CREATE FUNCTION extenddb_apply(p_sids bigint[], p_keys bytea[], p_items bytea[], p_shards int)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    WITH ops AS (
        SELECT * FROM unnest(p_sids, p_keys, p_items) AS o(sid, key, item)
    ), old AS (
        SELECT o.sid, o.key, i.size FROM ops o
        JOIN items i ON i.storage_id = o.sid AND i.key = o.key
    ), del AS (
        DELETE FROM items i USING ops o
        WHERE o.item IS NULL AND i.storage_id = o.sid AND i.key = o.key
    ), ins AS (
        INSERT INTO items (storage_id, key, item, size)
        SELECT o.sid, o.key, o.item, octet_length(o.item) FROM ops o WHERE o.item IS NOT NULL
        ON CONFLICT (storage_id, key) DO UPDATE SET item = EXCLUDED.item, size = EXCLUDED.size
    ), delta AS (
        SELECT o.sid,
               sum((o.item IS NOT NULL)::int - (old.size IS NOT NULL)::int) AS dc,
               sum(coalesce(octet_length(o.item), 0) - coalesce(old.size, 0)) AS ds
        FROM ops o LEFT JOIN old ON old.sid = o.sid AND old.key = o.key
        GROUP BY o.sid
    )
    INSERT INTO table_stats AS s (storage_id, shard, item_count, size_bytes)
    SELECT d.sid, pg_backend_pid() % p_shards, d.dc, d.ds FROM delta d WHERE d.dc <> 0 OR d.ds <> 0
    ON CONFLICT (storage_id, shard) DO UPDATE
    SET item_count = s.item_count + EXCLUDED.item_count,
        size_bytes = s.size_bytes + EXCLUDED.size_bytes;
END;
$$;

-- Takes the advisory locks `p_hashes` (sorted and distinct) and then applies the writes: a write
-- transaction that reads nothing, in one statement. Run on its own (autocommit), it is the
-- whole transaction: an unconditional PutItem or DeleteItem in one round trip, serialized with
-- every other writer of its keys exactly as `extenddb_lock_read` + `extenddb_apply` would be.
-- Inside a transaction it locks keys written but not read (index entries) and applies in one
-- statement. VOLATILE: the apply's snapshot is taken after the locks are held.
CREATE FUNCTION extenddb_lock_apply(p_hashes bigint[], p_sids bigint[], p_keys bytea[], p_items bytea[],
                                    p_shards int)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(h) FROM unnest(p_hashes) AS h;
    PERFORM extenddb_apply(p_sids, p_keys, p_items, p_shards);
END;
$$;
