#pragma once
// Great-circle distance on the mean-radius sphere (SPEC §4.7: haversine, R = 6,371,000 m),
// computed with Boost.Geometry's haversine strategy on WGS-84 degree coordinates.
#include <boost/geometry/core/cs.hpp>
#include <boost/geometry/algorithms/distance.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/strategies/spherical/distance_haversine.hpp>
#include <cmath>

namespace vnh {

struct LatLon {
  double lat = 0;
  double lon = 0;
};

constexpr double kEarthRadiusM = 6371000.0;

inline double haversine_m(LatLon a, LatLon b) {
  namespace bg = boost::geometry;
  using Point = bg::model::point<double, 2, bg::cs::spherical_equatorial<bg::degree>>;
  static const bg::strategy::distance::haversine<double> kStrategy(kEarthRadiusM);
  return bg::distance(Point(a.lon, a.lat), Point(b.lon, b.lat), kStrategy);
}

inline bool valid_lat_lon(double lat, double lon) {
  return std::isfinite(lat) && std::isfinite(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
}

}  // namespace vnh
