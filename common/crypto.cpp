#include "common/crypto.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>

namespace vnh {

void crypto_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness: nothing safe can run
  });
}

Result<std::string> hash_password(std::string_view password, const PasswordParams& p) {
  crypto_init();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), p.ops_limit, p.mem_limit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status(Code::kResourceExhausted, "password hashing ran out of memory");
  }
  return std::string(out);
}

bool verify_password(const std::string& hash, std::string_view password) {
  crypto_init();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(const std::string& hash, const PasswordParams& p) {
  crypto_init();
  return crypto_pwhash_str_needs_rehash(hash.c_str(), p.ops_limit, p.mem_limit) != 0;
}

std::string random_token() {
  crypto_init();
  unsigned char buf[32];
  randombytes_buf(buf, sizeof buf);
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, buf, sizeof buf, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::string sha256_raw(std::string_view data) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return std::string(reinterpret_cast<char*>(h), sizeof h);
}

std::string to_hex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string o;
  o.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    o += kHex[c >> 4];
    o += kHex[c & 15];
  }
  return o;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256_raw(data)); }

bool secrets_equal(std::string_view a, std::string_view b) {
  const std::string da = sha256_raw(a), db = sha256_raw(b);
  return sodium_memcmp(da.data(), db.data(), da.size()) == 0;
}

FieldCrypto FieldCrypto::from_master_key(const std::array<unsigned char, 32>& key) {
  crypto_init();
  FieldCrypto fc;
  crypto_kdf_derive_from_key(fc.enc_key_.data(), fc.enc_key_.size(), 1, "vnhfield", key.data());
  crypto_kdf_derive_from_key(fc.idx_key_.data(), fc.idx_key_.size(), 2, "vnhfield", key.data());
  crypto_kdf_derive_from_key(fc.audit_key_.data(), fc.audit_key_.size(), 3, "vnhfield", key.data());
  return fc;
}

Result<FieldCrypto> FieldCrypto::from_key_file(const std::string& path, bool create_if_missing) {
  crypto_init();
  std::array<unsigned char, 32> key{};
  if (const char* env = std::getenv("VNH_DATA_KEY"); env && *env) {
    size_t len = 0;
    if (sodium_hex2bin(key.data(), key.size(), env, std::strlen(env), nullptr, &len, nullptr) != 0 || len != 32) {
      return invalid("VNH_DATA_KEY", "must be 64 hexadecimal characters");
    }
    return from_master_key(key);
  }
  std::ifstream in(path);
  if (in) {
    std::string hex;
    std::getline(in, hex);
    size_t len = 0;
    if (sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 || len != 32) {
      return invalid("key_file", fmt::format("{} does not hold a 64-hex-character key", path));
    }
    return from_master_key(key);
  }
  if (!create_if_missing) return not_found(fmt::format("data key file {} does not exist", path));
  crypto_kdf_keygen(key.data());
  std::string hex(64, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, key.data(), key.size());
  {
    mode_t old = ::umask(077);
    std::ofstream out(path, std::ios::trunc);
    out << hex << "\n";
    ::umask(old);
    if (!out) return Status(Code::kUnavailable, fmt::format("cannot write data key file {}", path));
  }
  ::chmod(path.c_str(), 0600);
  return from_master_key(key);
}

std::string FieldCrypto::encrypt(std::string_view column, std::string_view plaintext) const {
  std::string out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() +
                      crypto_aead_xchacha20poly1305_ietf_ABYTES,
                  '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(column.data()), column.size(), nullptr, nonce, enc_key_.data());
  return out;
}

Result<std::string> FieldCrypto::decrypt(std::string_view column, std::string_view blob) const {
  constexpr size_t kOverhead = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (blob.size() < kOverhead) return internal(fmt::format("encrypted {} is truncated", column));
  std::string out(blob.size() - kOverhead, '\0');
  const auto* nonce = reinterpret_cast<const unsigned char*>(blob.data());
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &mlen, nullptr,
          nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          blob.size() - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
          reinterpret_cast<const unsigned char*>(column.data()), column.size(), nonce, enc_key_.data()) != 0) {
    return internal(fmt::format("encrypted {} fails authentication (wrong data key?)", column));
  }
  out.resize(mlen);
  return out;
}

std::string FieldCrypto::blind_index(std::string_view column, std::string_view normalized) const {
  unsigned char h[16];
  crypto_generichash_state st;
  crypto_generichash_init(&st, idx_key_.data(), idx_key_.size(), sizeof h);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(column.data()), column.size());
  const unsigned char zero = 0;
  crypto_generichash_update(&st, &zero, 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(normalized.data()), normalized.size());
  crypto_generichash_final(&st, h, sizeof h);
  return std::string(reinterpret_cast<char*>(h), sizeof h);
}

std::string FieldCrypto::audit_mac(std::string_view data) const {
  static_assert(crypto_auth_hmacsha256_KEYBYTES == 32 && crypto_auth_hmacsha256_BYTES == 32);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, audit_key_.data(), audit_key_.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return std::string(reinterpret_cast<char*>(mac), sizeof mac);
}

}  // namespace vnh
