-- razz schema, version 2: a room's optional floor area (JSON list of [x, y] corners in
-- metres), used by room fusion to count only people inside it.

ALTER TABLE rooms ADD COLUMN floor_area TEXT;
