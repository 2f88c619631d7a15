#pragma once
// Cryptography, all from libsodium: argon2id password hashes, per-field authenticated
// encryption of personal data at rest (XChaCha20-Poly1305) with keyed blind indexes (BLAKE2b)
// for exact-match lookup, random tokens and SHA-256. FieldCrypto is immutable after
// construction and safe to share between threads.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace vnh {

// Call once before any other function here (idempotent, thread-safe).
void crypto_init();

struct PasswordParams {
  unsigned long long ops_limit = 2;          // crypto_pwhash_OPSLIMIT_INTERACTIVE
  std::size_t mem_limit = 64ull * 1024 * 1024;  // crypto_pwhash_MEMLIMIT_INTERACTIVE
};

Result<std::string> hash_password(std::string_view password, const PasswordParams& p);
bool verify_password(const std::string& hash, std::string_view password);
bool password_needs_rehash(const std::string& hash, const PasswordParams& p);

// 256-bit random token, base64url without padding (43 characters).
std::string random_token();
std::string sha256_raw(std::string_view data);  // 32 bytes
std::string sha256_hex(std::string_view data);
std::string to_hex(std::string_view bytes);
// Whether two secrets are equal, in time that depends on their lengths only (compared as
// SHA-256 digests with sodium_memcmp), so a guess learns nothing from how long a refusal takes.
bool secrets_equal(std::string_view a, std::string_view b);

// Encrypts personal fields (ID numbers, phones, addresses) for storage and derives blind
// indexes so a value can be found without decrypting every row. The 32-byte master key lives
// in a key file beside the database (created 0600 on first use) or comes from VNH_DATA_KEY
// (64 hex characters); subkeys for encryption and indexing are derived with crypto_kdf.
class FieldCrypto {
 public:
  static Result<FieldCrypto> from_key_file(const std::string& path, bool create_if_missing);
  static FieldCrypto from_master_key(const std::array<unsigned char, 32>& key);

  // `column` binds the ciphertext to its column ("elders.id_number") as associated data.
  std::string encrypt(std::string_view column, std::string_view plaintext) const;
  Result<std::string> decrypt(std::string_view column, std::string_view blob) const;
  // 16-byte keyed hash of a normalised value, distinct per column.
  std::string blind_index(std::string_view column, std::string_view normalized) const;
  // HMAC-SHA256 of `data` under a subkey of its own (the audit chain, SPEC §9): 32 bytes.
  std::string audit_mac(std::string_view data) const;

 private:
  std::array<unsigned char, 32> enc_key_{};
  std::array<unsigned char, 32> idx_key_{};
  std::array<unsigned char, 32> audit_key_{};
};

}  // namespace vnh
