#pragma once

#include <boost/iostreams/device/back_inserter.hpp>
#include <boost/iostreams/filter/bzip2.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>
#include <string>

namespace memsgd::test {

// `bytes` as a complete archive: destroying the chain writes the end of the stream.
template <typename Compressor>
std::string compressed(const std::string& bytes, Compressor compressor) {
  std::string archive;
  {
    boost::iostreams::filtering_ostream out;
    out.push(compressor);
    out.push(boost::iostreams::back_inserter(archive));
    out << bytes;
  }
  return archive;
}

inline std::string gzip(const std::string& bytes) {
  return compressed(bytes, boost::iostreams::gzip_compressor());
}

inline std::string bzip2(const std::string& bytes, int blockSize100k = 9) {
  return compressed(bytes, boost::iostreams::bzip2_compressor(blockSize100k));
}

}  // namespace memsgd::test
