#include "memsgd/data/compressed_input.hpp"

#include <algorithm>
#include <array>
#include <boost/iostreams/filter/bzip2.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <string_view>
#include <system_error>

#include "memsgd/core/error.hpp"

namespace memsgd {
namespace {

// Boost.Iostreams buffers default to 128 B (filters) and 4 KiB (devices): too small for throughput.
constexpr std::streamsize kBufferSize = 1 << 16;

// Boost's what() says only "bzip2 error"; the libbzip2 code says what is wrong with the file.
std::string describe(const boost::iostreams::bzip2_error& e) {
  namespace bz = boost::iostreams::bzip2;
  if (e.error() == bz::unexpected_eof) return "truncated bzip2 stream";
  if (e.error() == bz::data_error) return "corrupted bzip2 data";
  if (e.error() == bz::data_error_magic) return "not a bzip2 file";
  return "libbzip2 error " + std::to_string(e.error());
}

std::string describe(const boost::iostreams::gzip_error& e) {
  namespace gz = boost::iostreams::gzip;
  if (e.error() == gz::bad_footer) return "truncated gzip stream";
  if (e.error() == gz::bad_header) return "not a gzip file or a damaged gzip header";
  if (e.error() == gz::bad_crc || e.error() == gz::bad_length) return "corrupted gzip data";
  if (e.error() == gz::zlib_error && e.zlib_error_code() == boost::iostreams::zlib::data_error) {
    return "corrupted gzip data";
  }
  if (e.error() == gz::zlib_error && e.zlib_error_code() == boost::iostreams::zlib::buf_error) {
    return "truncated gzip stream";
  }
  return "gzip error " + std::to_string(e.error()) + " (zlib " +
         std::to_string(e.zlib_error_code()) + ")";
}

enum class Compression { kNone, kGzip, kBzip2 };

Compression sniffCompression(std::ifstream& file) {
  std::array<char, 3> magic{};
  file.read(magic.data(), magic.size());
  const auto got = static_cast<std::size_t>(file.gcount());
  file.clear();
  file.seekg(0);
  const std::string_view head(magic.data(), got);
  if (head.starts_with("\x1f\x8b")) return Compression::kGzip;
  if (head == "BZh") return Compression::kBzip2;
  return Compression::kNone;
}

}  // namespace

struct CompressedInput::Decompressor {
  boost::iostreams::filtering_istream stream;
};

CompressedInput::CompressedInput(const std::string& path) {
  // An ifstream on a directory opens fine on Linux and only fails on the first read.
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw DataError(path, "cannot open: is a directory");
  }
  file_.open(path, std::ios::binary);
  if (!file_) throw DataError(path, std::string("cannot open: ") + std::strerror(errno));
  const Compression compression = sniffCompression(file_);
  if (compression != Compression::kNone) {
    decompressor_ = std::make_unique<Decompressor>();
    if (compression == Compression::kGzip) {
      decompressor_->stream.push(boost::iostreams::gzip_decompressor(), kBufferSize);
    } else {
      decompressor_->stream.push(boost::iostreams::bzip2_decompressor(), kBufferSize);
    }
    decompressor_->stream.push(file_, kBufferSize);
    in_ = &decompressor_->stream;
  }
  in_->exceptions(std::ios::badbit);
}

CompressedInput::~CompressedInput() = default;

void CompressedInput::skip(std::uint64_t bytes) {
  if (decompressor_ == nullptr) {
    file_.seekg(static_cast<std::streamoff>(bytes), std::ios::cur);
    return;
  }
  constexpr auto kChunk = static_cast<std::uint64_t>(std::numeric_limits<std::streamsize>::max());
  for (std::uint64_t left = bytes; left > 0 && in_->good();) {
    const std::uint64_t chunk = std::min(left, kChunk);
    in_->ignore(static_cast<std::streamsize>(chunk));
    left -= chunk;
  }
}

std::string describeReadFailure() {
  try {
    throw;
  } catch (const boost::iostreams::bzip2_error& e) {
    return describe(e);
  } catch (const boost::iostreams::gzip_error& e) {
    return describe(e);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace memsgd
