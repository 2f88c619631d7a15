#pragma once
// Programmes (服务额度, SPEC §13): monthly grants in fen or in minutes of service that pay for an
// elder's non-meal tickets — B's 5000 fen credit (Lanzhou), 100 yuan of home services for
// special-hardship elders (Tangshan), 3 hours a month from age 80 (Shenyang). Pure: the policy
// holds the programmes; a GrantLedger holds one month's draws and is fed the month's eligible
// tickets in check-out order (ties by ticket number) across all firms. Not thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.hpp"
#include "domain/types.hpp"

namespace vnh::domain {

using Fen = std::int64_t;

enum class GrantUnit { kFen, kMinutes };
std::string_view to_string(GrantUnit u);

struct Programme {
  std::string code;  // as statements and the API name it
  std::string name;  // as the console shows it
  GrantUnit unit = GrantUnit::kFen;
  std::int64_t monthly = 0;                 // fen, or minutes of service
  std::vector<ElderCategory> categories;    // empty: any category
  std::optional<int> min_age;               // completed years on the day of the service
  CareFlags care_flags = 0;                 // 0: anyone; else at least one of these flags
  std::vector<Category> item_categories;    // empty: any non-meal item

  // Whether an elder of category `c`, aged `age` on the day, with `flags` is in the programme.
  bool includes(ElderCategory c, int age, CareFlags flags) const;
  bool pays_for(Category item) const;
};

// What the grants need to know of an elder.
struct GrantHolder {
  ElderCategory category = ElderCategory::kC;
  Date birth;
  CareFlags flags = 0;
};

// What one programme gave to one ticket.
struct ProgrammeDraw {
  std::size_t programme = 0;  // index into the policy's programmes
  Fen covered = 0;
  std::int64_t used = 0;      // in the programme's unit
};

struct Coverage {
  Fen covered = 0;
  std::vector<ProgrammeDraw> draws;  // in programme order, only those that gave something
  bool in_any = false;               // the elder is in a programme that pays for the item
};

// A grant as the card, the screen pop and the offer show it.
struct GrantBalance {
  const Programme* programme = nullptr;
  std::int64_t used = 0;
  std::int64_t left = 0;
};

class GrantLedger {
 public:
  explicit GrantLedger(const std::vector<Programme>& programmes) : programmes_(&programmes) {}

  // Draws on the elder's grants for a ticket of `item` at `price` with the item's standard
  // duration, in programme order: a fen grant covers up to what is left; a minutes grant the
  // item's duration, or the share of the price the minutes left cover (rounded down to the
  // fen). A later programme covers what the earlier ones left of the price.
  Coverage draw(std::int64_t elder_id, const GrantHolder& e, Date day, Category item, Fen price, int duration_min);
  // What `draw` would give, without drawing (the offer's "what is covered").
  Coverage preview(std::int64_t elder_id, const GrantHolder& e, Date day, Category item, Fen price,
                   int duration_min) const;
  // The elder's grants on `day`: each programme the elder is in, with what is used and left.
  std::vector<GrantBalance> balances(std::int64_t elder_id, const GrantHolder& e, Date day) const;

 private:
  Coverage compute(const std::vector<std::int64_t>* used, const GrantHolder& e, Date day, Category item, Fen price,
                   int duration_min) const;

  const std::vector<Programme>* programmes_;
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> used_;  // per elder, per programme
};

// The rule a coverage of a ticket at `price` settles under: grant (covered whole),
// grant_partial, grant_used_up (in a programme with nothing left), self_pay (in none).
std::string grant_rule(const Coverage& c, Fen price);
// A statement's name for a coverage: the programme codes that paid, joined by '+'.
std::string programme_codes(const std::vector<Programme>& programmes, const Coverage& c);

}  // namespace vnh::domain
