-- Write transactions in two statements instead of BEGIN, lock-and-read, apply, COMMIT
-- (backends/postgres/src/held.rs): the read takes the keys' advisory locks at *session* level
-- and commits at once (it wrote nothing, so its commit flushes no WAL); the caller decides;
-- the apply, run on its own (autocommit), takes the same locks again at transaction level —
-- immediate, the session holds them — then releases the session's holds, writes and commits.
-- So every key read stays locked from before its read until the commit of the writes, as
-- with BEGIN … COMMIT, in two round trips. A session lock is never left behind: the apply
-- releases them all, the caller releases them (`pg_advisory_unlock_all()`) when it applies
-- nothing, and closes the connection otherwise (PostgreSQL releases a session's locks when it
-- ends, however it ends).

-- `extenddb_lock_read` with session-level locks: locks `hashes` (sorted, distinct), then reads
-- the keys. VOLATILE: the read takes its snapshot after the locks are held. A generic plan
-- (a nested loop of primary-key lookups, whatever the arrays hold): PL/pgSQL would otherwise
-- plan the read afresh on every call, since its generic estimate looks costlier than the
-- custom plans, and that planning cost more than the read (pgbench: about 0.06 ms a call).
CREATE FUNCTION extenddb_hold_read(hashes bigint[], sids bigint[], keys bytea[])
RETURNS TABLE (ord bigint, item bytea)
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    PERFORM pg_advisory_lock(h) FROM unnest(hashes) AS h;
    RETURN QUERY
        SELECT r.ord, i.item
        FROM unnest(sids, keys) WITH ORDINALITY AS r(sid, key, ord)
        JOIN items i ON i.storage_id = r.sid AND i.key = r.key;
END;
$$;

-- Applies a write transaction whose read keys' locks `p_held` this session holds (from
-- `extenddb_hold_read`): re-takes them for this transaction, releases the session's holds
-- (the transaction's keep the keys locked until it ends), locks `p_hashes` (keys written but
-- not read; sorted, distinct), writes each `p_items[i]` (NULL = delete) under
-- `(p_sids[i], p_keys[i])` as `extenddb_write_one` does (keys distinct), and appends the
-- stream records, whose `pos` is thus drawn under every key lock. VOLATILE: each statement
-- takes its snapshot after the locks.
CREATE FUNCTION extenddb_held_apply(p_held bigint[], p_hashes bigint[], p_sids bigint[],
                                    p_keys bytea[], p_items bytea[], p_shards int,
                                    p_logs bigint[], p_ats bigint[], p_records bytea[])
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(h) FROM unnest(p_held) AS h;
    PERFORM pg_advisory_unlock_all();
    PERFORM pg_advisory_xact_lock(h) FROM unnest(p_hashes) AS h;
    FOR i IN 1 .. coalesce(array_length(p_sids, 1), 0) LOOP
        PERFORM extenddb_write_one(NULL, p_sids[i], p_keys[i], p_items[i], p_shards);
    END LOOP;
    IF coalesce(array_length(p_logs, 1), 0) > 0 THEN
        INSERT INTO stream_pending (log_id, at_ms, record)
        SELECT * FROM unnest(p_logs, p_ats, p_records);
    END IF;
END;
$$;
