-- Written by hand (ent/schema has no triggers): tell every instance when a
-- sign-in uid stops leading where it did, so that their caches of sign-ins
-- (internal/access.SignInCache) forget it: an owner's link ends (erasure),
-- or a staff member's role, store, active flag or link changes. NOTIFY is
-- sent at commit; the payload is the old uid, or '' (forget all) after a
-- TRUNCATE.
CREATE FUNCTION "aftercare_signin_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('aftercare_signin', '');
  ELSE
    PERFORM pg_notify('aftercare_signin', OLD.auth_uid);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER "owners_signin_changed" AFTER UPDATE OF "auth_uid", "dealer_group_id" ON "owners" FOR EACH ROW
  WHEN (OLD.auth_uid IS NOT NULL AND (OLD.auth_uid, OLD.dealer_group_id) IS DISTINCT FROM (NEW.auth_uid, NEW.dealer_group_id))
  EXECUTE FUNCTION "aftercare_signin_changed"();
CREATE TRIGGER "owners_signin_deleted" AFTER DELETE ON "owners" FOR EACH ROW
  WHEN (OLD.auth_uid IS NOT NULL)
  EXECUTE FUNCTION "aftercare_signin_changed"();
CREATE TRIGGER "owners_signin_truncated" AFTER TRUNCATE ON "owners" FOR EACH STATEMENT
  EXECUTE FUNCTION "aftercare_signin_changed"();
CREATE TRIGGER "staffs_signin_changed" AFTER UPDATE ON "staffs" FOR EACH ROW
  WHEN (OLD.auth_uid IS NOT NULL AND (OLD.auth_uid, OLD.role, OLD.active, OLD.dealership_id, OLD.dealer_group_id)
    IS DISTINCT FROM (NEW.auth_uid, NEW.role, NEW.active, NEW.dealership_id, NEW.dealer_group_id))
  EXECUTE FUNCTION "aftercare_signin_changed"();
CREATE TRIGGER "staffs_signin_deleted" AFTER DELETE ON "staffs" FOR EACH ROW
  WHEN (OLD.auth_uid IS NOT NULL)
  EXECUTE FUNCTION "aftercare_signin_changed"();
CREATE TRIGGER "staffs_signin_truncated" AFTER TRUNCATE ON "staffs" FOR EACH STATEMENT
  EXECUTE FUNCTION "aftercare_signin_changed"();
