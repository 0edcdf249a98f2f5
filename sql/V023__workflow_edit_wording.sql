-- V023: an edit of a submitted or approved record is refused in words that say so.
--
-- V010's workflow guard refused every write it had no step for with "it is approved; it
-- cannot become approved", which names a status change where the writer only edited
-- the record. The same guard, with that case said as it is: a submitted record is not
-- edited while it waits for review, an approved one not any more. Everything else is
-- V010's.


CREATE OR REPLACE FUNCTION tx_workflow_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    writers text[] := (SELECT k.writers FROM kernel_table k WHERE k.table_name = TG_TABLE_NAME);
    reviewers text[] := (SELECT s.reviewers FROM submission_kind s WHERE s.kind = TG_ARGV[0]);
    -- What a review may change; everything else stays as the author submitted it.
    review_columns constant text[] := ARRAY['status', 'review_comment', 'reviewed_at',
                                            'reviewed_by', 'version', 'updated_at',
                                            'updated_by'];
    kind text;
BEGIN
    IF tx_operator() THEN
        RETURN NEW;
    END IF;
    kind := tx_acting_kind();
    IF TG_OP = 'INSERT' THEN
        IF NOT kind = ANY (writers) OR NEW.status NOT IN ('draft', 'submitted') THEN
            RAISE EXCEPTION '%: a new record is a draft or submitted, by its writers', TG_ARGV[0]
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.reviewed_at := NULL;
        NEW.reviewed_by := NULL;
        NEW.review_comment := '';
        NEW.submitted_at := CASE WHEN NEW.status = 'submitted' THEN now() END;
    ELSIF OLD.status IN ('draft', 'returned') AND NEW.status IN (OLD.status, 'submitted') THEN
        IF NOT kind = ANY (writers) THEN
            RAISE EXCEPTION '%: only its writers edit and submit it', TG_ARGV[0]
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.reviewed_at := OLD.reviewed_at;
        NEW.reviewed_by := OLD.reviewed_by;
        NEW.review_comment := OLD.review_comment;
        NEW.submitted_at := CASE WHEN NEW.status = 'submitted' AND OLD.status <> 'submitted'
                                 THEN now() ELSE OLD.submitted_at END;
    ELSIF OLD.status = 'submitted' AND NEW.status IN ('approved', 'returned') THEN
        IF NOT kind = ANY (reviewers) THEN
            RAISE EXCEPTION '%: only reviewers approve or return it', TG_ARGV[0]
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF audit_actor() = OLD.created_by
           OR tx_took_part(TG_TABLE_NAME, OLD.city_code, OLD.id, audit_actor()) THEN
            RAISE EXCEPTION '%: nobody approves or returns their own work', TG_ARGV[0]
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (to_jsonb(NEW) - review_columns) IS DISTINCT FROM (to_jsonb(OLD) - review_columns) THEN
            RAISE EXCEPTION '%: a review changes only the status and the comment', TG_ARGV[0]
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.status = 'returned' AND length(btrim(NEW.review_comment)) = 0 THEN
            RAISE EXCEPTION 'comment: say what to fix when returning it'
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.reviewed_at := now();
        NEW.reviewed_by := audit_actor();
    ELSIF NEW.status = OLD.status THEN
        RAISE EXCEPTION '%: it is %; %', TG_ARGV[0], OLD.status,
            CASE OLD.status WHEN 'submitted' THEN 'it is not edited while it waits for review'
                            ELSE 'it is not edited any more' END
            USING ERRCODE = 'check_violation';
    ELSE
        RAISE EXCEPTION '%: it is %; it cannot become %', TG_ARGV[0], OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
