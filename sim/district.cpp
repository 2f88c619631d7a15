#include "sim/district.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "common/csv.hpp"
#include "common/geo.hpp"
#include "common/identity.hpp"

namespace vnh::sim {

namespace {

const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
                           "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
                           "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾",
                           "丁", "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜",
                           "范", "方", "石", "姚", "谭", "廖", "邹", "熊", "金", "陆", "郝", "孔", "白", "崔", "康",
                           "毛", "邱", "秦", "江", "史", "顾", "侯", "邵", "孟", "龙", "万", "段", "雷", "钱", "汤",
                           "尹", "黎", "易", "常", "武", "乔", "贺", "赖", "龚", "文", "牛", "安", "拓", "妥", "包"};
const char* kGiven[] = {"秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉珍", "玉英", "兰英", "淑珍", "淑英",
                        "玉梅", "素珍", "凤兰", "桂珍", "秀云", "建国", "建华", "国华", "国强", "志强", "德明", "德才",
                        "永福", "永贵", "福生", "长林", "振华", "文华", "明亮", "学文", "世杰", "守仁", "占林", "玉林",
                        "有才", "金山", "春生", "宝山", "兴旺", "秉义", "耀祖", "立新", "爱华", "红英", "翠兰", "月娥",
                        "桂芳", "淑兰", "兰", "英", "华", "芳", "珍", "霞", "军", "明", "林", "山", "福", "德"};
const char* kFirmWords[] = {"安康", "福寿", "颐和", "康乐", "惠民", "金城", "皋兰", "五泉", "白塔", "黄河", "陇原",
                            "和美", "仁爱", "长青", "夕阳红", "慈济", "百合", "明德", "泰和", "瑞康", "安泰", "睦邻"};
const char* kFirmKinds[] = {"家政服务有限公司", "养老服务中心", "居家养老服务站", "护理服务有限公司", "社区服务中心",
                            "健康管理有限公司", "助老服务社"};
const char* kCategories[] = {"life_care", "medical_care", "emotional_comfort", "emergency_aid"};

std::uint64_t hash_str(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}
double unit_hash(const std::string& s, int salt) {
  return static_cast<double>(hash_str(s + "#" + std::to_string(salt)) % 1000003) / 1000003.0;
}

}  // namespace

DistrictGenerator::DistrictGenerator(DistrictSpec spec, const std::string& areas_csv, const std::string& catalog_csv)
    : spec_(spec), rng_(spec.seed) {
  auto areas = parse_csv(areas_csv);
  if (areas.ok()) {
    for (const auto& r : areas->rows) {
      if (r.fields.size() < 4) continue;
      GeoArea a{r.fields[0], r.fields[1], r.fields[2], r.fields[3], 0, 0};
      if (a.level == "street" && a.parent == spec_.district_code) streets_.push_back(a);
    }
    std::set<std::string> codes;
    for (const auto& s : streets_) codes.insert(s.code);
    for (const auto& r : areas->rows) {
      if (r.fields.size() < 4 || r.fields[3] != "community" || !codes.count(r.fields[2])) continue;
      communities_.push_back({r.fields[0], r.fields[1], r.fields[2], "community", 0, 0});
    }
  }
  // Synthetic coordinates: streets on a grid across the district's extent (城关区 lies along
  // the Yellow River, about 36.03–36.10 N, 103.72–103.95 E); communities within ~600 m.
  int cols = 7;
  for (size_t i = 0; i < streets_.size(); ++i) {
    int row = static_cast<int>(i) / cols, col = static_cast<int>(i) % cols;
    streets_[i].lat = 36.035 + row * 0.013 + unit_hash(streets_[i].code, 1) * 0.004;
    streets_[i].lon = 103.73 + col * 0.032 + unit_hash(streets_[i].code, 2) * 0.01;
  }
  std::map<std::string, const GeoArea*> by_code;
  for (const auto& s : streets_) by_code[s.code] = &s;
  for (auto& c : communities_) {
    const GeoArea* s = by_code[c.parent];
    c.lat = s->lat + (unit_hash(c.code, 3) - 0.5) * 0.011;
    c.lon = s->lon + (unit_hash(c.code, 4) - 0.5) * 0.013;
  }
  auto cat = parse_csv(catalog_csv);
  if (cat.ok()) {
    for (const auto& r : cat->rows) {
      if (r.fields.size() < 8) continue;
      items_.push_back({r.fields[0], r.fields[2], std::atoi(r.fields[6].c_str()), r.fields[7] == "1"});
    }
  }
}

std::string DistrictGenerator::person_name() {
  const size_t ns = sizeof(kSurnames) / sizeof(*kSurnames), ng = sizeof(kGiven) / sizeof(*kGiven);
  return std::string(kSurnames[static_cast<size_t>(integer(0, static_cast<int>(ns) - 1))]) +
         kGiven[static_cast<size_t>(integer(0, static_cast<int>(ng) - 1))];
}

std::string DistrictGenerator::mobile() {
  static const char* kPrefixes[] = {"139", "138", "137", "136", "135", "150", "151", "152", "158", "159",
                                    "187", "188", "130", "131", "132", "155", "156", "185", "186", "133",
                                    "153", "180", "181", "189", "177", "199"};
  return fmt::format("{}{:08}", kPrefixes[integer(0, 25)], integer(0, 99'999'999));
}

bool DistrictGenerator::emit_population(const CsvSink& sink, const Progress& progress) {
  if (streets_.empty() || communities_.empty()) return false;
  // Firms: a base near a street, a capacity, staff, and the streets they serve.
  firms_.clear();
  for (int i = 0; i < spec_.firms; ++i) {
    GenFirm f;
    f.code = fmt::format("{}{:03}", spec_.firm_prefix, i + 1);
    f.name = fmt::format("兰州{}{}", kFirmWords[static_cast<size_t>(i) % (sizeof(kFirmWords) / sizeof(*kFirmWords))],
                         kFirmKinds[static_cast<size_t>(i / 3) % (sizeof(kFirmKinds) / sizeof(*kFirmKinds))]);
    if (i >= static_cast<int>(sizeof(kFirmWords) / sizeof(*kFirmWords))) f.name += fmt::format("{}号", i / 22 + 1);
    const GeoArea& home = streets_[static_cast<size_t>(integer(0, static_cast<int>(streets_.size()) - 1))];
    f.lat = home.lat + uniform(-0.004, 0.004);
    f.lon = home.lon + uniform(-0.006, 0.006);
    f.capacity = integer(30, 140);
    f.status = i % 60 == 59 ? "suspended" : "active";
    // Nearest 2–5 streets; categories: life care for most, the others for some.
    std::vector<std::pair<double, std::string>> near;
    for (const auto& s : streets_) near.emplace_back(haversine_m({f.lat, f.lon}, {s.lat, s.lon}), s.code);
    std::sort(near.begin(), near.end());
    int n_streets = integer(2, 5);
    std::vector<std::string> cats;
    for (const char* c : kCategories) {
      double p = std::string(c) == "life_care" ? 0.9 : std::string(c) == "medical_care" ? 0.45 : 0.5;
      if (uniform(0, 1) < p) cats.push_back(c);
    }
    if (cats.empty()) cats.push_back("life_care");
    for (int k = 0; k < n_streets; ++k) {
      for (const auto& c : cats) f.areas.emplace_back(near[static_cast<size_t>(k)].second, c);
    }
    int n_staff = integer(5, 25);
    for (int w = 0; w < n_staff; ++w) {
      std::string skills;
      for (const auto& c : cats) {
        if (skills.empty() || uniform(0, 1) < 0.6) skills += (skills.empty() ? "" : "|") + c;
      }
      f.staff.emplace_back(fmt::format("{}W{:02}", f.code, w + 1), skills);
    }
    firms_.push_back(std::move(f));
  }
  // Every street and category served by at least three active firms (nearest first).
  for (const auto& s : streets_) {
    for (const char* c : kCategories) {
      int have = 0;
      for (const auto& f : firms_) {
        if (f.status != "active") continue;
        for (const auto& [a, cat] : f.areas) have += a == s.code && cat == c;
      }
      std::vector<std::pair<double, size_t>> near;
      for (size_t i = 0; i < firms_.size(); ++i) {
        if (firms_[i].status == "active") near.emplace_back(haversine_m({firms_[i].lat, firms_[i].lon}, {s.lat, s.lon}), i);
      }
      std::sort(near.begin(), near.end());
      for (size_t k = 0; have < 3 && k < near.size(); ++k) {
        auto& f = firms_[near[k].second];
        bool already = false;
        for (const auto& [a, cat] : f.areas) already = already || (a == s.code && cat == c);
        if (already) continue;
        f.areas.emplace_back(s.code, c);
        // Make sure someone on the staff can do it.
        f.staff.front().second += std::string("|") + c;
        ++have;
      }
    }
  }

  // Elders: ages 65–100 weighted young, the A/B/C/D mix, couples sharing a landline.
  elders_.clear();
  std::set<std::string> ids;
  Date today{2026, 1, 1};
  std::string elders_csv = "id_number,name,phone,community_code,lat,lon,category,registered_on\r\n";
  std::string landline;
  const GeoArea* couple_home = nullptr;
  double couple_lat = 0, couple_lon = 0;
  for (int i = 0; i < spec_.elders; ++i) {
    GenElder e;
    bool spouse = couple_home && uniform(0, 1) < 0.5;
    const GeoArea& c = spouse ? *couple_home
                              : communities_[static_cast<size_t>(integer(0, static_cast<int>(communities_.size()) - 1))];
    int age = 65 + static_cast<int>(std::min(35.0, std::floor(-std::log(1 - uniform(0, 0.999)) * 9)));
    int year = 2026 - age - 1;
    int month = integer(1, 12), day = integer(1, 28);
    while (true) {
      const std::string& area = spec_.id_area.empty() ? spec_.district_code : spec_.id_area;
      std::string first17 = fmt::format("{}{:04}{:02}{:02}{:03}", i % 9 == 0 && spec_.id_area.empty() ? "620103" : area,
                                        year, month, day, integer(0, 999));
      e.id_number = first17 + id_check_char(first17);
      if (ids.insert(e.id_number).second) break;
    }
    e.name = person_name();
    e.community = c.code;
    if (spouse) {
      e.lat = couple_lat;
      e.lon = couple_lon;
      e.phone = landline + "|" + mobile();
      couple_home = nullptr;
    } else {
      e.lat = c.lat + uniform(-0.0012, 0.0012);
      e.lon = c.lon + uniform(-0.0015, 0.0015);
      if (uniform(0, 1) < 0.15) {
        landline = fmt::format("0931-8{:06}", integer(0, 999'999));
        e.phone = landline;
        couple_home = &c;
        couple_lat = e.lat;
        couple_lon = e.lon;
      } else {
        e.phone = mobile();
        couple_home = nullptr;
      }
    }
    double r = uniform(0, 1);
    e.category = r < 0.03 ? 'A' : r < 0.15 ? 'B' : r < 0.95 ? 'C' : 'D';
    Date reg = civil_from_days(days_from_civil({2016, 1, 1}) + integer(0, 3400));
    if (age_on({year, month, day}, reg) < 65) reg = {year + 65, month, std::min(day, 28)};
    if (reg > Date{2026, 9, 1}) reg = {2026, 9, 1};
    (void)today;
    elders_csv += fmt::format("{},{},{},{},{:.6f},{:.6f},{},{}\r\n", e.id_number, e.name, e.phone, e.community, e.lat,
                              e.lon, e.category, format_date(reg));
    elders_.push_back(std::move(e));
    if (progress && i % 10000 == 0) progress("generating elders", static_cast<size_t>(i), static_cast<size_t>(spec_.elders));
  }
  std::string firms_csv = "code,name,base_lat,base_lon,daily_capacity,status\r\n";
  std::string areas_csv = "firm_code,area_code,category\r\n";
  std::string staff_csv = "firm_code,code,name,phone,skills\r\n";
  for (const auto& f : firms_) {
    firms_csv += fmt::format("{},{},{:.6f},{:.6f},{},{}\r\n", f.code, f.name, f.lat, f.lon, f.capacity, f.status);
    for (const auto& [a, c] : f.areas) areas_csv += fmt::format("{},{},{}\r\n", f.code, a, c);
    for (const auto& [code, skills] : f.staff) {
      staff_csv += fmt::format("{},{},{},{},{}\r\n", f.code, code, person_name(), mobile(), skills);
    }
  }
  return sink("elders", elders_csv) && sink("firms", firms_csv) && sink("firm-areas", areas_csv) &&
         sink("staff", staff_csv);
}

bool DistrictGenerator::emit_history(const CsvSink& sink, const Progress& progress, Date today, const TimeZone& tz) {
  // Candidate firms per (street, category), active only.
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> serving;
  for (size_t i = 0; i < firms_.size(); ++i) {
    if (firms_[i].status != "active") continue;
    for (const auto& [a, c] : firms_[i].areas) serving[{a, c}].push_back(i);
  }
  // Item mix: meals a third, life care a third, the rest medical, comfort and emergencies.
  std::vector<size_t> meals, life, medical, comfort, emergency;
  for (size_t i = 0; i < items_.size(); ++i) {
    const auto& it = items_[i];
    if (it.meal) meals.push_back(i);
    else if (it.category == "life_care") life.push_back(i);
    else if (it.category == "medical_care") medical.push_back(i);
    else if (it.category == "emotional_comfort") comfort.push_back(i);
    else emergency.push_back(i);
  }
  auto pick = [&](const std::vector<size_t>& v) { return v[static_cast<size_t>(integer(0, static_cast<int>(v.size()) - 1))]; };
  const std::string head =
      "ticket_no,id_number,item_code,firm_code,urgency,window_start,window_end,created_at,checkin_at,checkin_lat,"
      "checkin_lon,checkout_at,checkout_lat,checkout_lon,staff_code,state\r\n";
  std::string tickets = head, callbacks = "ticket_no,called_at,reached,rating,service_received\r\n",
              complaints = "ticket_no,filed_at,status\r\n";
  std::map<std::pair<size_t, std::string>, size_t> continuity;
  auto at = [&](TimeMs t) { return format_time(t, tz); };
  int per_day = std::max(1, static_cast<int>(spec_.elders * spec_.tickets_per_elder_day));
  std::size_t total = static_cast<std::size_t>(per_day) * static_cast<std::size_t>(spec_.history_days), done = 0;
  std::set<std::string> months;
  for (int d = spec_.history_days; d >= 1; --d) {
    Date day = civil_from_days(days_from_civil(today) - d);
    months.insert(YearMonth{day.year, day.month}.to_string());
    TimeMs day_start = tz.day_start(day);
    for (int k = 0; k < per_day; ++k, ++done) {
      size_t ei = static_cast<size_t>(integer(0, static_cast<int>(elders_.size()) - 1));
      const GenElder& e = elders_[ei];
      double r = uniform(0, 1);
      size_t ii = r < 0.33 ? pick(meals) : r < 0.68 ? pick(life) : r < 0.83 ? pick(medical) : r < 0.95 ? pick(comfort) : pick(emergency);
      const Item& item = items_[ii];
      std::string street = e.community.substr(0, 9);
      auto sv = serving.find({street, item.category});
      if (sv == serving.end() || sv->second.empty()) continue;
      auto key = std::make_pair(ei, item.category);
      size_t fi;
      auto cont = continuity.find(key);
      if (cont != continuity.end() && uniform(0, 1) < 0.7) {
        fi = cont->second;
      } else {
        fi = sv->second[static_cast<size_t>(integer(0, static_cast<int>(sv->second.size()) - 1))];
      }
      continuity[key] = fi;
      const GenFirm& f = firms_[fi];
      std::vector<std::string> able;
      for (const auto& [code, skills] : f.staff) {
        if (skills.find(item.category) != std::string::npos) able.push_back(code);
      }
      if (able.empty()) continue;
      const std::string& staff = able[static_cast<size_t>(integer(0, static_cast<int>(able.size()) - 1))];
      bool emergency_item = item.category == "emergency_aid";
      TimeMs ws = day_start + (integer(7 * 60, 19 * 60)) * kMsPerMinute;
      TimeMs we = ws + integer(60, 180) * kMsPerMinute;
      TimeMs created = ws - integer(emergency_item ? 5 : 30, emergency_item ? 30 : 24 * 60) * kMsPerMinute;
      std::string no = fmt::format("T{:04}{:02}{:02}{:06}", day.year, day.month, day.day, k + 1);
      if (uniform(0, 1) < 0.03) {  // cancelled before anyone went
        tickets += fmt::format("{},{},{},,{},{},{},{},,,,,,,,cancelled\r\n", no, e.id_number, item.code,
                               emergency_item ? "emergency" : "normal", at(ws), at(we), at(created));
        continue;
      }
      bool late = uniform(0, 1) < 0.08;
      TimeMs ci = late ? we + integer(5, 90) * kMsPerMinute : ws + static_cast<TimeMs>(uniform(0, 1) * static_cast<double>(we - ws));
      bool far = uniform(0, 1) < 0.02, short_visit = uniform(0, 1) < 0.02;
      double lat = e.lat + (far ? 0.006 : uniform(-0.0005, 0.0005));
      double lon = e.lon + uniform(-0.0005, 0.0005);
      TimeMs dur = static_cast<TimeMs>(item.duration * kMsPerMinute * (short_visit ? 0.25 : uniform(0.8, 1.3)));
      TimeMs co = ci + dur;
      tickets += fmt::format("{},{},{},{},{},{},{},{},{},{:.6f},{:.6f},{},{:.6f},{:.6f},{},completed\r\n", no,
                             e.id_number, item.code, f.code, emergency_item ? "emergency" : "normal", at(ws), at(we),
                             at(created), at(ci), lat, lon, at(co), lat, lon, staff);
      if (uniform(0, 1) < 0.12) {
        TimeMs called = co + integer(12 * 60, 30 * 60) * kMsPerMinute;
        if (uniform(0, 1) < 0.85) {
          double q = uniform(0, 1);
          int rating = q < 0.55 ? 5 : q < 0.85 ? 4 : q < 0.95 ? 3 : q < 0.98 ? 2 : 1;
          callbacks += fmt::format("{},{},1,{},{}\r\n", no, at(called), rating, uniform(0, 1) < 0.005 ? 0 : 1);
        } else {
          callbacks += fmt::format("{},{},0,,\r\n", no, at(called));
        }
      }
      if (uniform(0, 1) < 0.002) {
        double q = uniform(0, 1);
        complaints += fmt::format("{},{},{}\r\n", no, at(co + integer(60, 3 * 24 * 60) * kMsPerMinute),
                                  q < 0.4 ? "substantiated" : q < 0.8 ? "rejected" : "open");
      }
      if (tickets.size() > 8 * 1024 * 1024) {
        if (!sink("tickets", tickets)) return false;
        tickets = head;
      }
      if (progress && done % 20000 == 0) progress("generating history", done, total);
    }
  }
  if (tickets.size() > head.size() && !sink("tickets", tickets)) return false;
  if (progress) progress("generating history", total, total);
  std::string insp = "firm_code,month,enterprise_building,service_norms,staff_management\r\n";
  for (const auto& m : months) {
    for (const auto& f : firms_) {
      auto score = [&] { return std::clamp(std::round(uniform(62, 98) * 100) / 100, 0.0, 100.0); };
      insp += fmt::format("{},{},{:.2f},{:.2f},{:.2f}\r\n", f.code, m, score(), score(), score());
    }
  }
  return sink("callbacks", callbacks) && sink("complaints", complaints) && sink("inspections", insp);
}

bool DistrictGenerator::emit_meals(const CsvSink& sink, const Progress& progress, Date today, const TimeZone& tz) {
  if (communities_.empty() || elders_.empty() || spec_.canteens <= 0) return true;
  // Canteens in communities spread over the district; one in three run by a partner firm.
  canteens_.clear();
  std::string canteens_csv = "code,name,firm_code,community_code,lat,lon,status,delivers,daily_capacity\r\n";
  // One canteen per ~1,700 elders (Lanzhou: 65 for 110,000), at least three.
  const int n_canteens = spec_.canteens_by_population
                             ? std::clamp(static_cast<int>(elders_.size() / 1700), std::min(3, spec_.canteens), spec_.canteens)
                             : spec_.canteens;
  for (int i = 0; i < n_canteens; ++i) {
    const GeoArea& c = communities_[static_cast<size_t>(i) * communities_.size() / static_cast<size_t>(n_canteens)];
    GenCanteen k;
    k.code = fmt::format("{}{:03}", spec_.canteen_prefix, i + 1);
    k.name = c.name + "老年餐桌";
    if (i % 3 == 0 && !firms_.empty()) k.firm_code = firms_[static_cast<size_t>(i) % firms_.size()].code;
    k.community = c.code;
    k.lat = c.lat + uniform(-0.001, 0.001);
    k.lon = c.lon + uniform(-0.001, 0.001);
    k.delivers = i % 2 == 0;
    k.capacity = integer(150, 400);
    canteens_csv += fmt::format("{},{},{},{},{:.6f},{:.6f},active,{},{}\r\n", k.code, k.name, k.firm_code, k.community,
                                k.lat, k.lon, k.delivers ? 1 : 0, k.capacity);
    canteens_.push_back(std::move(k));
  }
  if (!sink("canteens", canteens_csv)) return false;
  // Cards for a share of the elders, each tied to the canteen nearest home.
  cards_.clear();
  std::string cards_csv = "card_no,id_number,issued_on,status\r\n";
  for (size_t i = 0; i < elders_.size(); ++i) {
    if (uniform(0, 1) >= spec_.card_share) continue;
    const GenElder& e = elders_[i];
    size_t best = 0;
    double best_m = 1e18;
    for (size_t k = 0; k < canteens_.size(); ++k) {
      double m = haversine_m({e.lat, e.lon}, {canteens_[k].lat, canteens_[k].lon});
      if (m < best_m) best_m = m, best = k;
    }
    GenCard c{fmt::format("{}{:08}", spec_.card_prefix, i + 1), i, best};
    cards_csv += fmt::format("{},{},2026-01-10,{}\r\n", c.card_no, e.id_number, uniform(0, 1) < 0.01 ? "lost" : "active");
    cards_.push_back(c);
  }
  if (!sink("meal-cards", cards_csv)) return false;
  // The canteens' lunches (and some breakfasts) of the last days: card holders at their own
  // canteen, one in twenty typed by ID number, a few second lunches and deliveries.
  std::vector<std::vector<size_t>> regulars(canteens_.size());
  for (size_t c = 0; c < cards_.size(); ++c) regulars[cards_[c].canteen].push_back(c);
  const std::string head = "canteen_code,id_number,slot,served_at,mode,price_fen,identified_by\r\n";
  std::string meals = head;
  const int days = std::min(spec_.meal_history_days, spec_.history_days);
  const std::size_t total = static_cast<std::size_t>(days) * canteens_.size();
  std::size_t done = 0;
  for (int d = days; d >= 1; --d) {
    Date day = civil_from_days(days_from_civil(today) - d);
    TimeMs day_start = tz.day_start(day);
    for (size_t k = 0; k < canteens_.size(); ++k, ++done) {
      const auto& who = regulars[k];
      if (who.empty()) continue;
      const GenCanteen& canteen = canteens_[k];
      int n = std::min<int>(static_cast<int>(who.size()), integer(spec_.canteen_meals_per_day * 3 / 4, spec_.canteen_meals_per_day));
      for (int m = 0; m < n; ++m) {
        const GenCard& card = cards_[who[static_cast<size_t>(integer(0, static_cast<int>(who.size()) - 1))]];
        const GenElder& e = elders_[card.elder];
        bool breakfast = uniform(0, 1) < 0.08;
        TimeMs at = day_start + (breakfast ? integer(7 * 60, 9 * 60) : integer(11 * 60, 12 * 60 + 45)) * kMsPerMinute +
                    integer(0, 59) * 1000;
        const char* mode = canteen.delivers && uniform(0, 1) < 0.15 ? "delivery" : uniform(0, 1) < 0.1 ? "pickup" : "dine_in";
        meals += fmt::format("{},{},{},{},{},{},{}\r\n", canteen.code, e.id_number, breakfast ? "breakfast" : "lunch",
                             format_time(at, tz), mode, breakfast ? 600 : 1500, uniform(0, 1) < 0.05 ? "id_number" : "card");
      }
      if (meals.size() > 8 * 1024 * 1024) {
        if (!sink("meals", meals)) return false;
        meals = head;
      }
      if (progress && done % 500 == 0) progress("canteen meals", done, total);
    }
  }
  if (progress) progress("canteen meals", total, total);
  return meals.size() <= head.size() || sink("meals", meals);
}

namespace {
// The convex hull of points (Andrew's monotone chain), counter-clockwise, not closed.
std::vector<LatLon> hull(std::vector<LatLon> p) {
  std::sort(p.begin(), p.end(), [](const LatLon& a, const LatLon& b) { return a.lon < b.lon || (a.lon == b.lon && a.lat < b.lat); });
  p.erase(std::unique(p.begin(), p.end(), [](const LatLon& a, const LatLon& b) { return a.lat == b.lat && a.lon == b.lon; }), p.end());
  if (p.size() < 3) return p;
  auto cross = [](const LatLon& o, const LatLon& a, const LatLon& b) {
    return (a.lon - o.lon) * (b.lat - o.lat) - (a.lat - o.lat) * (b.lon - o.lon);
  };
  std::vector<LatLon> h(2 * p.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0) --k;
    h[k++] = p[i];
  }
  for (std::size_t i = p.size() - 1, t = k + 1; i > 0; --i) {
    while (k >= t && cross(h[k - 2], h[k - 1], p[i - 1]) <= 0) --k;
    h[k++] = p[i - 1];
  }
  h.resize(k - 1);
  return h;
}

// A closed GeoJSON ring around `pts`: their hull pushed out from its centre by `pad` degrees,
// or a small square when there are too few homes for a hull.
std::string ring_around(const std::vector<LatLon>& pts, double pad) {
  auto h = hull(pts);
  double clat = 0, clon = 0;
  for (const auto& q : pts) clat += q.lat, clon += q.lon;
  clat /= static_cast<double>(pts.size());
  clon /= static_cast<double>(pts.size());
  if (h.size() < 3) h = {{clat - pad, clon - pad}, {clat - pad, clon + pad}, {clat + pad, clon + pad}, {clat + pad, clon - pad}};
  std::string out = "[[";
  for (std::size_t i = 0; i <= h.size(); ++i) {
    const auto& q = h[i % h.size()];
    const double dlat = q.lat - clat, dlon = q.lon - clon, d = std::hypot(dlat, dlon);
    const double s = d > 0 ? (d + pad) / d : 1;
    out += fmt::format("{}[{:.5f},{:.5f}]", i ? "," : "", clon + dlon * s, clat + dlat * s);
  }
  return out + "]]";
}
}  // namespace

std::string DistrictGenerator::area_shapes_geojson() const {
  std::map<std::string, std::vector<LatLon>> homes;  // community and street code → homes
  for (const auto& e : elders_) {
    homes[e.community].push_back({e.lat, e.lon});
    homes[e.community.substr(0, 9)].push_back({e.lat, e.lon});
  }
  std::string out = R"({"type":"FeatureCollection","features":[)";
  bool first = true;
  for (const auto& [code, pts] : homes) {
    out += fmt::format(R"({}{{"type":"Feature","properties":{{"code":"{}"}},"geometry":{{"type":"Polygon","coordinates":{}}}}})",
                       first ? "\n" : ",\n", code, ring_around(pts, code.size() == 9 ? 0.0015 : 0.0006));
    first = false;
  }
  return out + "\n]}\n";
}

}  // namespace vnh::sim
