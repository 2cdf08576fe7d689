// PKCE and the SHA-256 under it (RFC 7636, FIPS 180-4).
//  - pkce/s256_verify: verify_code_verifier with the 43-character verifier of RFC 7636
//    Appendix B against its S256 challenge: the syntax check, SHA-256 of one block, the
//    base64url encoding and the constant-time comparison; what the token endpoint adds
//    to an authorization_code request.
//  - sha256/64B: oauthcore's sha256 of 64 bytes (two blocks with the padding), with the
//    SHA extensions where the CPU has them.
//  - sha256/portable/64B: the same two blocks through the portable block function, what
//    CPUs without the SHA extensions (and other architectures) run.
//  - sha256/libsodium/64B: libsodium's crypto_hash_sha256 of the same bytes (portable C).

#include <array>
#include <string_view>

#include "oauthcore/pkce.hpp"
#include "oauthcore/sha256.hpp"
#include "support.hpp"

#if OAUTHCORE_BENCH_HAVE_SODIUM
#include <sodium.h>
#endif

namespace bench {
namespace {

constexpr std::string_view verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
// 64 bytes: the vendor's client secret.
constexpr std::string_view message = client_secret;
static_assert(message.size() == 64);

void pkce_s256_verify(benchmark::State& state) {
    check(oauthcore::verify_code_verifier(verifier, challenge, oauthcore::code_challenge_method::s256),
          "pkce/s256_verify", "the Appendix B verifier does not verify");
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        const bool ok = oauthcore::verify_code_verifier(opaque(verifier), opaque(challenge),
                                                        oauthcore::code_challenge_method::s256);
        escape(&ok);
        meter.stop();
    }
}

void sha256_oauthcore(benchmark::State& state) {
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        const oauthcore::sha256_digest digest = oauthcore::sha256(opaque(message));
        escape(&digest);
        meter.stop();
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message.size()));
}

void sha256_portable(benchmark::State& state) {
    // The message block, then the padding block sha256_final would build: 0x80, zeros,
    // and the length (512 bits) big-endian.
    std::array<char, 128> blocks{};
    for (std::size_t i = 0; i < message.size(); ++i) blocks[i] = message[i];
    blocks[64] = static_cast<char>(0x80);
    blocks[126] = 0x02;
    {
        oauthcore::detail::sha256_state portable = oauthcore::detail::sha256_initial_state;
        oauthcore::detail::sha256_blocks_portable(portable, blocks.data(), 2);
        const oauthcore::sha256_digest reference = oauthcore::sha256(message);
        for (std::size_t i = 0; i < reference.size(); ++i)
            check((portable[i / 4] >> (24 - 8 * (i % 4)) & 0xFFu) == reference[i], "sha256/portable/64B", "digest");
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        oauthcore::detail::sha256_state words = oauthcore::detail::sha256_initial_state;
        oauthcore::detail::sha256_blocks_portable(words, opaque({blocks.data(), blocks.size()}).data(), 2);
        escape(&words);
        meter.stop();
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message.size()));
}

#if OAUTHCORE_BENCH_HAVE_SODIUM
void sha256_libsodium(benchmark::State& state) {
    {
        oauthcore::sha256_digest digest{};
        crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(message.data()), message.size());
        check(digest == oauthcore::sha256(message), "sha256/libsodium/64B", "digest");
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        const std::string_view in = opaque(message);
        oauthcore::sha256_digest digest;
        crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(in.data()), in.size());
        escape(&digest);
        meter.stop();
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message.size()));
}
#endif

}  // namespace

void register_pkce() {
    benchmark::RegisterBenchmark("pkce/s256_verify", pkce_s256_verify);
    benchmark::RegisterBenchmark("sha256/64B", sha256_oauthcore);
    benchmark::RegisterBenchmark("sha256/portable/64B", sha256_portable);
#if OAUTHCORE_BENCH_HAVE_SODIUM
    benchmark::RegisterBenchmark("sha256/libsodium/64B", sha256_libsodium);
#endif
}

}  // namespace bench
