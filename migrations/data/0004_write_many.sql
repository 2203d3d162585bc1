-- Several single-key unconditional writes from concurrent requests, applied in one statement and
-- one transaction (backends/postgres/src/batched_writes.rs): one round trip and one commit for
-- all of them instead of one each.

-- Takes the advisory locks `p_hashes` (sorted and distinct), then writes each `p_items[i]`
-- (NULL = delete) under `(p_sids[i], p_keys[i])` as `extenddb_write_one` does, in array order
-- (of two writes to one key the later wins). VOLATILE: every statement takes its snapshot
-- after the locks are held.
CREATE FUNCTION extenddb_write_many(p_hashes bigint[], p_sids bigint[], p_keys bytea[],
                                    p_items bytea[], p_shards int)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(h) FROM unnest(p_hashes) AS h;
    FOR i IN 1 .. coalesce(array_length(p_sids, 1), 0) LOOP
        PERFORM extenddb_write_one(NULL, p_sids[i], p_keys[i], p_items[i], p_shards);
    END LOOP;
END;
$$;
