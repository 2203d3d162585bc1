-- A write to one key as plain single-row statements: `extenddb_apply`'s CTE over unnested
-- arrays costs PostgreSQL about 1 ms of CPU per call (planning and executing five joined
-- sub-statements), three times a single-row upsert; one key needs none of that.

-- Takes the advisory lock `p_hash` unless it is NULL (the caller holds it), then writes
-- `p_item` (NULL = delete) under `(p_sid, p_key)` and applies the `table_stats` delta to the
-- shard of the backend pid, as `extenddb_apply` does for one key. Run on its own
-- (autocommit) it is a whole unconditional write in one round trip. VOLATILE: each statement
-- takes its snapshot after the lock, so the old size it reads is the row's latest version.
CREATE FUNCTION extenddb_write_one(p_hash bigint, p_sid bigint, p_key bytea, p_item bytea,
                                   p_shards int)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    old_size int;
    dc int;
    ds bigint;
BEGIN
    IF p_hash IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(p_hash);
    END IF;
    SELECT size INTO old_size FROM items WHERE storage_id = p_sid AND key = p_key;
    IF p_item IS NULL THEN
        IF old_size IS NULL THEN
            RETURN;
        END IF;
        DELETE FROM items WHERE storage_id = p_sid AND key = p_key;
        dc := -1;
        ds := -old_size;
    ELSIF old_size IS NULL THEN
        INSERT INTO items (storage_id, key, item, size)
        VALUES (p_sid, p_key, p_item, octet_length(p_item));
        dc := 1;
        ds := octet_length(p_item);
    ELSE
        UPDATE items SET item = p_item, size = octet_length(p_item)
        WHERE storage_id = p_sid AND key = p_key;
        dc := 0;
        ds := octet_length(p_item) - old_size;
    END IF;
    IF dc <> 0 OR ds <> 0 THEN
        INSERT INTO table_stats AS s (storage_id, shard, item_count, size_bytes)
        VALUES (p_sid, pg_backend_pid() % p_shards, dc, ds)
        ON CONFLICT (storage_id, shard) DO UPDATE
        SET item_count = s.item_count + EXCLUDED.item_count,
            size_bytes = s.size_bytes + EXCLUDED.size_bytes;
    END IF;
END;
$$;
