-- Billing periods: the calendar month, in the tenant's billing time zone, of the time an event happened.
-- billing_period_start_of and billing_period_end_of are plain SQL so the planner inlines them into a
-- batch's query; billing_period_of is the original design's contract, built on them.

CREATE OR REPLACE FUNCTION billing_period_start_of(p_time_zone text, p_at timestamptz)
RETURNS date LANGUAGE sql STABLE AS $$
  SELECT date_trunc('month', p_at AT TIME ZONE p_time_zone)::date
$$;

CREATE OR REPLACE FUNCTION billing_period_end_of(p_period_start date)
RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT (p_period_start + interval '1 month' - interval '1 day')::date
$$;

CREATE OR REPLACE FUNCTION billing_period_of(p_time_zone text, p_at timestamptz,
  OUT period_start date, OUT period_end date)
LANGUAGE sql STABLE AS $$
  SELECT s, billing_period_end_of(s) FROM (SELECT billing_period_start_of(p_time_zone, p_at) AS s) q
$$;

-- Which metadata key says when the event happened: the first of the two with a non-blank value
-- (null: neither, the event happened now).
CREATE OR REPLACE FUNCTION billing_event_time_key(p_metadata jsonb, p_first text, p_second text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN nullif(btrim(coalesce(p_metadata ->> p_first, '')), '') IS NOT NULL THEN p_first
              WHEN nullif(btrim(coalesce(p_metadata ->> p_second, '')), '') IS NOT NULL THEN p_second END
$$;

-- Checks the tenant exists and owns the mapping; returns the tenant's billing time zone.
CREATE OR REPLACE FUNCTION billing_tenant_time_zone(p_tenant_id text, p_phone_mapping_id uuid)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_tz text;
  v_owner text;
BEGIN
  IF p_tenant_id IS NULL OR btrim(p_tenant_id) = '' THEN
    RAISE EXCEPTION 'A tenant id is required' USING ERRCODE = 'BM400';
  END IF;
  SELECT billing_time_zone INTO v_tz FROM tenants WHERE id = p_tenant_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Unknown tenant "%"', p_tenant_id USING ERRCODE = 'BM404';
  END IF;
  IF p_phone_mapping_id IS NULL THEN
    RAISE EXCEPTION 'A phone mapping id is required' USING ERRCODE = 'BM400';
  END IF;
  SELECT tenant_id INTO v_owner FROM tenant_phone_mappings WHERE id = p_phone_mapping_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Unknown phone mapping %', p_phone_mapping_id USING ERRCODE = 'BM404';
  END IF;
  IF v_owner <> p_tenant_id THEN
    RAISE EXCEPTION 'Phone mapping % does not belong to tenant "%"', p_phone_mapping_id, p_tenant_id
      USING ERRCODE = 'BM400';
  END IF;
  RETURN v_tz;
END
$$;
