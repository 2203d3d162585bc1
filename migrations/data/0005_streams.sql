-- DynamoDB Streams: stream records in commit order (backends/postgres/src/streams.rs).
--
-- A write transaction appends its stream records here, in the same transaction as its item
-- change, with `pos` from an identity sequence taken after the write's key locks. Concurrent
-- transactions commit in another order than they draw `pos`, so `pos` is not yet the stream
-- order: a sequencer (one at a time per stream log, under the advisory lock of the log's head
-- key) moves the rows that have committed into the log in `items` (storage id = the log),
-- numbering them after every number handed out before, in `pos` order. A reader therefore
-- never sees a lower number commit after a higher one, and two changes of one key — the
-- second drew its `pos` after the first committed — keep their order.
CREATE TABLE stream_pending (
    log_id bigint NOT NULL,
    pos    bigint GENERATED ALWAYS AS IDENTITY,
    at_ms  bigint NOT NULL,
    record bytea  NOT NULL,
    PRIMARY KEY (log_id, pos)
);

-- `extenddb_write_one` followed by the stream appends of the same write, in one statement:
-- a PutItem on a stream table costs no round trip more than one on a table without.
CREATE FUNCTION extenddb_write_one_streamed(p_hash bigint, p_sid bigint, p_key bytea,
                                            p_item bytea, p_shards int, p_logs bigint[],
                                            p_ats bigint[], p_records bytea[])
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM extenddb_write_one(p_hash, p_sid, p_key, p_item, p_shards);
    INSERT INTO stream_pending (log_id, at_ms, record)
    SELECT * FROM unnest(p_logs, p_ats, p_records);
END;
$$;

-- `extenddb_lock_apply` followed by the stream appends, in one statement.
CREATE FUNCTION extenddb_lock_apply_streamed(p_hashes bigint[], p_sids bigint[], p_keys bytea[],
                                             p_items bytea[], p_shards int, p_logs bigint[],
                                             p_ats bigint[], p_records bytea[])
RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF coalesce(array_length(p_sids, 1), 0) > 0 THEN
        PERFORM extenddb_lock_apply(p_hashes, p_sids, p_keys, p_items, p_shards);
    END IF;
    INSERT INTO stream_pending (log_id, at_ms, record)
    SELECT * FROM unnest(p_logs, p_ats, p_records);
END;
$$;
