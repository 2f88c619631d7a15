-- Schema version 13: personal data at rest (decision 002, SPEC §9). The masked ID number keeps
-- characters 1–6 and 15–18; the eight it hides are the birth date, which was stored in clear
-- beside it, so the two together gave every whole ID number. The birth date is now read from
-- the encrypted ID number and sex from the masked copy's 17th character (store/personal.hpp);
-- the home position is encrypted like the address. vnh_seal_home needs the data key: this
-- migration runs on a connection opened with it, under secure_delete (the old values are
-- overwritten, not left in free space), and is followed by a truncating checkpoint.
ALTER TABLE elders ADD COLUMN home_enc BLOB;
UPDATE elders SET home_enc = vnh_seal_home(lat, lon);
ALTER TABLE elders DROP COLUMN birth_date;
ALTER TABLE elders DROP COLUMN sex;
ALTER TABLE elders DROP COLUMN lat;
ALTER TABLE elders DROP COLUMN lon;
