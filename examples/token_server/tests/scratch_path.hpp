#pragma once
// A database path of its own for a unit test: a name under /tmp that no file has yet
// (the test's database is made there), and at the end no file of it left, SQLite's
// -wal and -shm files included.

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "catch.hpp"

namespace token_server::testing {

class scratch_path {
public:
    explicit scratch_path(const std::string& prefix) {
        std::string name = "/tmp/" + prefix + "_XXXXXX";
        const int fd = ::mkstemp(name.data());
        REQUIRE(fd >= 0);
        ::close(fd);
        ::unlink(name.c_str());
        path_ = std::move(name);
    }
    ~scratch_path() {
        for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path_ + suffix).c_str());
    }
    scratch_path(const scratch_path&) = delete;
    scratch_path& operator=(const scratch_path&) = delete;

    const std::string& str() const noexcept { return path_; }

private:
    std::string path_;
};

}  // namespace token_server::testing
