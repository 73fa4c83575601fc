-- Letters are verified publicly by a random code, not by their sequential id
-- (which let anyone walk through every unit's letter status). Each letter
-- gets a code of its own: letters issued from now on get one made with
-- crypto/rand when they are stored; those issued before get 32 random hex
-- digits from the database's own strong random source.

ALTER TABLE letters ADD COLUMN verify_code TEXT;
UPDATE letters SET verify_code = {{random_code}} WHERE verify_code IS NULL;
CREATE UNIQUE INDEX letters_verify_code ON letters(verify_code);
