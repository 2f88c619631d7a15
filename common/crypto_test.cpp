#include <catch2/catch.hpp>

#include "common/crypto.hpp"

using namespace vnh;

TEST_CASE("personal fields round-trip through authenticated encryption", "[crypto]") {
  std::array<unsigned char, 32> key{};
  key[0] = 7;
  auto fc = FieldCrypto::from_master_key(key);
  std::string blob = fc.encrypt("elders.id_number", "620102195810100019");
  CHECK(blob.find("620102") == std::string::npos);
  CHECK(*fc.decrypt("elders.id_number", blob) == "620102195810100019");
  SECTION("a ciphertext moved to another column fails") {
    CHECK_FALSE(fc.decrypt("elders.phone", blob).ok());
  }
  SECTION("a tampered ciphertext fails") {
    blob[blob.size() - 1] ^= 1;
    CHECK_FALSE(fc.decrypt("elders.id_number", blob).ok());
  }
  SECTION("two encryptions differ, blind indexes agree") {
    CHECK(fc.encrypt("c", "x") != fc.encrypt("c", "x"));
    CHECK(fc.blind_index("c", "x") == fc.blind_index("c", "x"));
    CHECK(fc.blind_index("c", "x") != fc.blind_index("d", "x"));
    CHECK(fc.blind_index("c", "x").size() == 16);
  }
  SECTION("another key cannot read or match") {
    key[0] = 8;
    auto other = FieldCrypto::from_master_key(key);
    CHECK_FALSE(other.decrypt("elders.id_number", blob).ok());
    CHECK(other.blind_index("c", "x") != fc.blind_index("c", "x"));
  }
}

TEST_CASE("passwords are hashed with argon2id and can be rehashed", "[crypto]") {
  PasswordParams cheap{1, 8 * 1024 * 1024};
  auto h = hash_password("correct horse", cheap);
  REQUIRE(h.ok());
  CHECK(h->rfind("$argon2id$", 0) == 0);
  CHECK(verify_password(*h, "correct horse"));
  CHECK_FALSE(verify_password(*h, "wrong"));
  CHECK_FALSE(password_needs_rehash(*h, cheap));
  CHECK(password_needs_rehash(*h, PasswordParams{2, 16 * 1024 * 1024}));
}

TEST_CASE("tokens are random and digests are hex", "[crypto]") {
  CHECK(random_token().size() == 43);
  CHECK(random_token() != random_token());
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
