-- Custom domains are proven with a TXT record holding this token before they serve anything.
ALTER TABLE domains ADD COLUMN verification_token TEXT NOT NULL DEFAULT '';
