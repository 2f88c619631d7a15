#pragma once
// A synthetic but realistic district for the demo, the simulator and the benchmarks: elders
// with plausible Chinese names, valid GB 11643 ID numbers, phones (couples sharing a
// landline) and homes near their community; partner firms with staff and service areas so
// every street is covered for every category several times over; and the history of tickets,
// callbacks, complaints and inspections. Everything is produced as the CSV files of SPEC §7
// and loaded through the importer, so generated data passes the same validation as imports.
// Deterministic for a given seed. Geography: the real street and community codes of the
// district, with synthetic coordinates (no public geodata is shipped; see docs/data.md).
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/time.hpp"

namespace vnh::sim {

struct DistrictSpec {
  std::string district_code = "620102";
  int elders = 110'000;
  int firms = 126;
  int history_days = 60;             // ticket history ending yesterday
  double tickets_per_elder_day = 0.027;  // ≈ 3,000 a day for 110,000 elders (Lanzhou's average)
  std::uint64_t seed = 20261123;
  std::string firm_prefix = "F";     // firm codes are PREFIX001, PREFIX002, …
  int canteens = 65;                 // community canteens (Lanzhou's 65 virtual-nursing-home restaurants)
  bool canteens_by_population = true;  // one per ~1,700 elders, at most `canteens`; false: exactly `canteens`
  std::string canteen_prefix = "K";  // canteen codes are PREFIX001, …
  std::string card_prefix = "6201";  // card numbers are PREFIX + 8 digits
  double card_share = 0.3;           // elders with a meal card
  int canteen_meals_per_day = 120;   // lunches a canteen serves on a day of history
  int meal_history_days = 60;        // days of canteen history (at most history_days; 0: canteens and cards only)
  std::string id_area = "";          // area code of generated ID numbers (default: district_code)
};

struct GeoArea {
  std::string code;
  std::string name;
  std::string parent;
  std::string level;
  double lat = 0, lon = 0;
};

struct GenFirm {
  std::string code;
  std::string name;
  double lat = 0, lon = 0;
  int capacity = 0;
  std::string status;
  std::vector<std::pair<std::string, std::string>> areas;  // (street code, category)
  std::vector<std::pair<std::string, std::string>> staff;  // (code, skills)
};

struct GenCanteen {
  std::string code;
  std::string name;
  std::string firm_code;  // empty: run by the community
  std::string community;
  double lat = 0, lon = 0;
  bool delivers = false;
  int capacity = 0;
};

struct GenCard {
  std::string card_no;
  size_t elder = 0;    // index into elders()
  size_t canteen = 0;  // the canteen nearest to the elder's home
};

struct GenElder {
  std::string id_number;
  std::string name;
  std::string phone;
  std::string community;
  double lat = 0, lon = 0;
  char category = 'C';
};

// Receives (kind, csv) chunks to import, in dependency order; returns false to stop.
using CsvSink = std::function<bool(const std::string& kind, const std::string& csv)>;
using Progress = std::function<void(const std::string& stage, std::size_t done, std::size_t total)>;

class DistrictGenerator {
 public:
  // `areas_csv` and `catalog_csv` are the reference files (already in the database).
  DistrictGenerator(DistrictSpec spec, const std::string& areas_csv, const std::string& catalog_csv);

  const std::vector<GenFirm>& firms() const { return firms_; }
  const std::vector<GenElder>& elders() const { return elders_; }
  const std::vector<GeoArea>& communities() const { return communities_; }
  const std::vector<GenCanteen>& canteens() const { return canteens_; }
  const std::vector<GenCard>& cards() const { return cards_; }

  // Elders, firms, firm-areas, staff.
  bool emit_population(const CsvSink& sink, const Progress& progress);
  // Outlines for the command screen's map (an `area-shapes` GeoJSON FeatureCollection): each
  // community and street as the hull of its elders' homes, a little widened. After
  // emit_population.
  std::string area_shapes_geojson() const;
  // Tickets (ending the day before `today`), callbacks, complaints and the inspections of
  // every month the history touches, in chunks.
  bool emit_history(const CsvSink& sink, const Progress& progress, Date today, const TimeZone& tz);
  // Canteens, meal cards for a share of the elders, and the canteens' meals of the last
  // meal_history_days (after the tickets: the day's first meal takes its subsidised place).
  bool emit_meals(const CsvSink& sink, const Progress& progress, Date today, const TimeZone& tz);

 private:
  double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng_); }
  int integer(int a, int b) { return std::uniform_int_distribution<int>(a, b)(rng_); }
  std::string person_name();
  std::string mobile();

  DistrictSpec spec_;
  std::mt19937_64 rng_;
  std::vector<GeoArea> streets_;
  std::vector<GeoArea> communities_;
  struct Item {
    std::string code, category;
    int duration = 30;
    bool meal = false;
  };
  std::vector<Item> items_;
  std::vector<GenFirm> firms_;
  std::vector<GenElder> elders_;
  std::vector<GenCanteen> canteens_;
  std::vector<GenCard> cards_;
};

}  // namespace vnh::sim
