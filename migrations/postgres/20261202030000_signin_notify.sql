-- Written by hand (ent/schema has no triggers): tell every instance when a
-- sign-in uid stops leading to the owner it did, so that their caches of
-- owners' sign-ins (internal/access.OwnerCache) forget it. NOTIFY is sent
-- at commit; the payload is the uid, or '' (forget all) after a TRUNCATE.
CREATE FUNCTION "aftercare_owner_signin_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
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
  WHEN (OLD.auth_uid IS NOT NULL AND (OLD.auth_uid IS DISTINCT FROM NEW.auth_uid OR OLD.dealer_group_id IS DISTINCT FROM NEW.dealer_group_id))
  EXECUTE FUNCTION "aftercare_owner_signin_changed"();
CREATE TRIGGER "owners_signin_deleted" AFTER DELETE ON "owners" FOR EACH ROW
  WHEN (OLD.auth_uid IS NOT NULL)
  EXECUTE FUNCTION "aftercare_owner_signin_changed"();
CREATE TRIGGER "owners_signin_truncated" AFTER TRUNCATE ON "owners" FOR EACH STATEMENT
  EXECUTE FUNCTION "aftercare_owner_signin_changed"();
