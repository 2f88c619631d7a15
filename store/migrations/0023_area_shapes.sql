-- Issue 22: street and community outlines for the command screen's map, loaded by
-- `vnh import area-shapes FILE.geojson`. One geometry per area (a GeoJSON Polygon or
-- MultiPolygon, WGS-84, as the file gave it after checking); replaced by a later file.
CREATE TABLE area_shapes (
  code TEXT PRIMARY KEY REFERENCES areas(code),
  geometry TEXT NOT NULL CHECK (json_valid(geometry)),
  loaded_at INTEGER NOT NULL
) WITHOUT ROWID;
