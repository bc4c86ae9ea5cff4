#include "memsgd/compress/selection.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>

#if defined(__AVX512F__) && defined(__AVX512VL__)
#include <immintrin.h>
#endif

namespace memsgd {
namespace {

// Selection compares integer keys, not values: the bits of v_j without the sign, which order like
// |v_j| (non-negative IEEE numbers order like their bit patterns, denormals included) and make
// -0 == +0. Numbers map to keys >= 2 and every NaN to 1, which leaves 0 below all of them for the
// heap's placeholders. Keys of float and of double differ, but one selection sees only one type.
template <typename Scalar>
using BitsOf = std::conditional_t<std::is_same_v<Scalar, float>, std::uint32_t, std::uint64_t>;

template <typename Scalar>
constexpr BitsOf<Scalar> kInfinityBits = static_cast<BitsOf<Scalar>>(
    std::bit_cast<BitsOf<Scalar>>(std::numeric_limits<Scalar>::infinity()) << 1);
constexpr std::uint64_t kNanKey = 1;

template <typename Scalar>
inline std::uint64_t keyOf(Scalar value) {
  const auto bits = static_cast<BitsOf<Scalar>>(std::bit_cast<BitsOf<Scalar>>(value) << 1);
  return bits > kInfinityBits<Scalar> ? kNanKey : std::uint64_t{bits} + 2;
}

// v + scale * x with one rounding where the target has fused multiply-add for Scalar (and two
// elsewhere, where an explicit fma would be a slow library call): explicit, so that the result
// does not depend on whether the compiler contracts the expression.
#ifdef FP_FAST_FMA
constexpr bool kFastFma = true;
#else
constexpr bool kFastFma = false;
#endif
#ifdef FP_FAST_FMAF
constexpr bool kFastFmaFloat = true;
#else
constexpr bool kFastFmaFloat = false;
#endif

template <typename Scalar>
inline Scalar plusScaled(Scalar v, Scalar scale, Scalar x) {
  if constexpr (std::is_same_v<Scalar, float> ? kFastFmaFloat : kFastFma) {
    return std::fma(scale, x, v);
  } else {
    return v + scale * x;
  }
}

// Elements per block: a block of v (and of x) stays in L1 from its update to the end of its scan.
constexpr std::size_t kBlock = 256;

// Where the selected values come from. prepare(begin, end) runs once per block, in index order,
// before the block is read through data(); at(j) is the value v[j] has once prepared.
template <typename T>
class InPlace {
 public:
  using Scalar = T;
  explicit InPlace(const Scalar* v) : v_(v) {}
  void prepare(std::size_t /*begin*/, std::size_t /*end*/) const {}
  [[nodiscard]] const Scalar* data() const { return v_; }
  [[nodiscard]] Scalar at(std::size_t j) const { return v_[j]; }

 private:
  const Scalar* v_;
};

// v += scale * x one block at a time, so the update and the selection share one pass. The scale
// is rounded to Scalar once.
template <typename T>
class AddScaled {
 public:
  using Scalar = T;
  AddScaled(Scalar* v, const Scalar* x, double scale)
      : v_(v), x_(x), scale_(static_cast<Scalar>(scale)) {}
  void prepare(std::size_t begin, std::size_t end) const {
    for (std::size_t j = begin; j < end; ++j) v_[j] = plusScaled(v_[j], scale_, x_[j]);
  }
  [[nodiscard]] const Scalar* data() const { return v_; }
  [[nodiscard]] Scalar at(std::size_t j) const { return plusScaled(v_[j], scale_, x_[j]); }

 private:
  Scalar* v_;
  const Scalar* x_;
  Scalar scale_;
};

// An upper bound of the block's keys: exact without NaN, infinity's key with one. Two vector
// operations per element, where keyOf takes four.
template <typename Scalar>
std::uint64_t keyBound(const Scalar* values, std::size_t count) {
  using Bits = BitsOf<Scalar>;
  Bits bits = 0;
  for (std::size_t i = 0; i < count; ++i) {
    bits = std::max(bits, static_cast<Bits>(std::bit_cast<Bits>(values[i]) << 1));
  }
  return std::uint64_t{std::min(bits, kInfinityBits<Scalar>)} + 2;
}

using HeapEntry = std::pair<std::uint64_t, std::uint32_t>;  // (key, j)

// "a ranks before b": larger key first, then lower index. A total order, so results are
// deterministic whatever algorithm produced them.
bool ranksBefore(const HeapEntry& a, const HeapEntry& b) {
  return a.first > b.first || (a.first == b.first && a.second < b.second);
}

// The heap's front (the weakest entry, as std::make_heap with ranksBefore orders it) gives way to
// `entry`, which ranks before it: one sift-down, where pop_heap and push_heap take two passes.
void replaceWeakest(std::vector<HeapEntry>& heap, HeapEntry entry) {
  const std::size_t size = heap.size();
  std::size_t hole = 0;
  while (true) {
    std::size_t child = 2 * hole + 1;
    if (child >= size) {
      break;
    }
    if (child + 1 < size && ranksBefore(heap[child], heap[child + 1])) {
      ++child;  // the weaker child
    }
    if (!ranksBefore(entry, heap[child])) {
      break;
    }
    heap[hole] = heap[child];
    hole = child;
  }
  heap[hole] = entry;
}

// The heap wins while k <= sqrt(d) / 4 (its updates grow like k log k per entering key, the
// lower bound's extra work like the sample and k), up to k = 256 (measured from d = 300 to 1e6).
constexpr std::size_t kHeapLimit = 256;
constexpr std::size_t kHeapDimPerSquaredK = 16;

bool heapWins(std::size_t d, std::size_t k) {
  return k <= kHeapLimit && k * k * kHeapDimPerSquaredK <= d;
}

// Elements per sub-block: a block that may hold an entry is checked again in sub-blocks, so
// that the element-wise scan covers few elements that cannot enter.
constexpr std::size_t kSubBlock = 32;

// Small k. The heap's front is the weakest of the best k so far; a later index enters only with a
// strictly larger key, so a block whose largest key does not exceed the front's is skipped after
// one vectorised pass. The heap starts with k placeholders of key 0, below every entry.
template <class Source>
void topKByHeap(const Source& source, std::size_t d, std::size_t k,
                std::vector<std::uint32_t>& indices, std::vector<HeapEntry>& heap) {
  heap.assign(k, HeapEntry{0, 0});
  std::uint64_t threshold = 0;
  const auto* values = source.data();
  for (std::size_t begin = 0; begin < d; begin += kBlock) {
    const std::size_t end = std::min(begin + kBlock, d);
    source.prepare(begin, end);
    if (keyBound(values + begin, end - begin) <= threshold) {
      continue;
    }
    for (std::size_t subBegin = begin; subBegin < end; subBegin += kSubBlock) {
      const std::size_t subEnd = std::min(subBegin + kSubBlock, end);
      if (keyBound(values + subBegin, subEnd - subBegin) <= threshold) {
        continue;
      }
      // The sub-block's keys in one vector pass, then only the entries above the threshold
      // (few, and found without a branch per element) go through the heap in index order.
      const std::size_t count = subEnd - subBegin;
      // Not zeroed (a hot loop): keys[0, count) are written next, the rest is never read.
      std::array<std::uint64_t, kSubBlock> keys;  // NOLINT(cppcoreguidelines-pro-type-member-init)
      for (std::size_t i = 0; i < count; ++i) keys[i] = keyOf(values[subBegin + i]);
      std::uint32_t above = 0;
      for (std::size_t i = 0; i < count; ++i) {
        above |= static_cast<std::uint32_t>(keys[i] > threshold) << i;
      }
      for (; above != 0; above &= above - 1) {
        const auto i = static_cast<std::size_t>(std::countr_zero(above));
        if (keys[i] > threshold) {
          replaceWeakest(heap, {keys[i], static_cast<std::uint32_t>(subBegin + i)});
          threshold = heap.front().first;
        }
      }
    }
  }
  indices.resize(k);
  std::transform(heap.begin(), heap.end(), indices.begin(),
                 [](const HeapEntry& entry) { return entry.second; });
  std::sort(indices.begin(), indices.end());
}

// The key of 0-based `rank` in descending order among `keys` (rank < keys.size()). MSD radix
// select: a histogram of the 8 highest bits in which the remaining keys differ, then only the
// bucket holding the rank remains. Linear and nearly branch-free; std::nth_element's mispredicted
// comparisons cost several times more at these sizes.
std::uint64_t keyAtRank(std::span<const std::uint64_t> keys, std::size_t rank,
                        std::vector<std::uint64_t>& bucket) {
  constexpr int kDigitBits = 8;
  std::span<const std::uint64_t> remaining = keys;
  while (true) {
    std::uint64_t smallest = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t largest = 0;
    for (const std::uint64_t key : remaining) {
      smallest = std::min(smallest, key);
      largest = std::max(largest, key);
    }
    if (smallest == largest) {
      return smallest;
    }
    const int shift =
        std::max(0, static_cast<int>(std::bit_width(smallest ^ largest)) - kDigitBits);
    const auto digitOf = [shift](std::uint64_t key) { return (key >> shift) & 0xFFU; };
    std::array<std::size_t, std::size_t{1} << kDigitBits> counts{};
    for (const std::uint64_t key : remaining) ++counts[digitOf(key)];
    std::size_t digit = counts.size();
    while (counts[--digit] <= rank) rank -= counts[digit];
    // Branch-free compaction into the bucket, with one slot for the stores past its last key; in
    // place once `remaining` is the bucket itself (writes never pass reads, and as min and max
    // lie in different buckets, the bucket is smaller than `remaining`: no reallocation).
    if (bucket.size() < counts[digit] + 1) {
      bucket.resize(counts[digit] + 1);
    }
    std::size_t kept = 0;
    for (const std::uint64_t key : remaining) {
      bucket[kept] = key;
      kept += digitOf(key) == digit ? 1 : 0;
    }
    remaining = std::span<const std::uint64_t>(bucket.data(), kept);
  }
}

// Large k. A lower bound `lo` of the k-th largest key, from a sample: keys above it are the
// candidates, keys equal to it are chosen in index order if the candidates do not make k. Keeping
// those ties apart means that many keys equal to lo (zeros of a sparse v, say) never overflow the
// candidates. `expectedAbove` sizes the candidates' buffers.
struct LowerBound {
  std::uint64_t lo = 0;
  std::size_t expectedAbove = 0;
};

// Sample size: large enough that few more than k keys exceed lo, small enough that sampling costs
// little next to the pass. Up to kMinSample all keys are taken, which makes lo exact.
constexpr std::size_t kSampleStride = 64;
constexpr std::size_t kMinSample = 256;
constexpr std::size_t kMaxSample = 16384;
// lo's rank in the sample lies this many binomial standard deviations, plus as many ranks (small
// expected ranks have heavier tails), below the k-th key's expected rank: a miss costs an exact
// pass, and 4 makes one rare.
constexpr double kMarginSigmas = 4.0;

// A fixed bijective scramble of a sample's number (multiply by an odd constant, fold the high
// half down): the same on every rank and every call, so a step stays reproducible.
inline std::uint64_t scrambled(std::uint64_t i) {
  const std::uint64_t mixed = (i + 1) * 0x9E3779B97F4A7C15ULL;
  return mixed ^ (mixed >> 32);
}

std::size_t sampleSize(std::size_t d) {
  return std::min(d, std::clamp(d / kSampleStride, kMinSample, kMaxSample));
}

// lo from `samples` keys strided over v; with all d keys, lo is the k-th largest key itself.
template <class Source>
LowerBound sampleLowerBound(const Source& source, std::size_t d, std::size_t k, std::size_t samples,
                            SelectionScratch& scratch) {
  auto& keys = scratch.keys;
  keys.resize(samples);
  // Sample i in [floor(i * d / samples), floor((i + 1) * d / samples)), spread over all of v, in
  // 32.32 fixed point: no division per sample, and no overflow as d < 2^32. Its offset within that
  // window is a hash of i, not 0: a fixed stride aliases with a layout of v (an mlp's column-major
  // 256 x 784 weights sampled every 64th value see 4 of their 256 rows). lo only bounds the
  // selection, which is exact whatever the sample, so results do not depend on it.
  const std::uint64_t step = (std::uint64_t{d} << 32) / samples;
  const std::uint64_t window = step >> 32;  // >= 1 values per sample
  for (std::size_t i = 0; i < samples; ++i) {
    const std::uint64_t jitter = ((scrambled(i) & 0xFFFFFFFFU) * window) >> 32;
    keys[i] = keyOf(source.at(((i * step) >> 32) + jitter));
  }
  // The k-th key's expected rank in the sample (1-based); exact when samples == d.
  const double expected =
      static_cast<double>(k) * static_cast<double>(samples) / static_cast<double>(d);
  const double margin = samples == d ? 0.0 : kMarginSigmas * (std::sqrt(expected) + 1.0);
  const auto loRank = static_cast<std::size_t>(std::ceil(expected + margin)) - 1;
  if (loRank >= samples) {
    return {kNanKey, d};  // every number is a candidate, NaNs are the ties
  }
  return {keyAtRank(keys, loRank, scratch.rankBucket),
          (loRank + 1) * ((d + samples - 1) / samples)};
}

// The pass keeps j of the keys above lo (and, when wanted, their keys), and j of the keys equal to
// lo, in index order. Candidates are stored at their count, so the pass stops storing them once
// that exceeds `capacity` (the selection then fails anyway): their buffers have a block of slots
// past it. Ties are stored at min(count, k), as no more than k are ever taken.
struct Collected {
  std::size_t aboveLo = 0;
  std::size_t tied = 0;
};

struct CollectBuffers {
  std::uint32_t* indices;
  std::uint64_t* keys;  // nullptr: keys are read again from v later
  std::uint32_t* tiedIndices;
  std::size_t k;
};

// The pass stores the candidates' keys when at least one element in kKeyStoreSpacing is expected
// to be a candidate.
constexpr std::size_t kKeyStoreSpacing = 16;

// Slots past k in the ties' buffer: one vector of lanes (16 floats).
constexpr std::size_t kTiedSlack = 16;

// One entry, branch-free: stored anyway, kept by advancing its list's count.
inline void collectOne(std::uint64_t key, std::uint32_t j, std::uint64_t lo, Collected& counts,
                       const CollectBuffers& out) {
  out.indices[counts.aboveLo] = j;
  if (out.keys != nullptr) {
    out.keys[counts.aboveLo] = key;
  }
  counts.aboveLo += key > lo ? 1 : 0;
  out.tiedIndices[std::min(counts.tied, out.k)] = j;
  counts.tied += key == lo ? 1 : 0;
}

#if defined(__AVX512F__) && defined(__AVX512VL__)
// GCC does not vectorise collectOne's compaction; AVX-512 compresses eight lanes at once. Counts
// and buffers are taken by value: the key stores could alias them through references, which would
// keep them in memory.
Collected collectRange(const double* values, std::size_t begin, std::size_t end, std::uint64_t lo,
                       Collected counts, CollectBuffers out) {
  constexpr std::uint64_t kInfinityKeyBits = kInfinityBits<double>;
  const __m512i loKey = _mm512_set1_epi64(static_cast<long long>(lo));
  const __m512i infinityBits = _mm512_set1_epi64(static_cast<long long>(kInfinityKeyBits));
  const __m512i two = _mm512_set1_epi64(2);
  const __m256i eight = _mm256_set1_epi32(8);
  // NaN keys equal lo only when lo is NaN's key; lo >= kNanKey, so NaN is never above it.
  const __mmask8 nanTies = lo == kNanKey ? 0xFF : 0;
  __m256i index = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(begin)),
                                   _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  std::size_t j = begin;
  for (; j + 8 <= end; j += 8, index = _mm256_add_epi32(index, eight)) {
    // keyOf on eight lanes, with NaN lanes masked out rather than mapped to kNanKey.
    const __m512i bits = _mm512_slli_epi64(_mm512_castpd_si512(_mm512_loadu_pd(values + j)), 1);
    const __mmask8 isNumber = _mm512_cmple_epu64_mask(bits, infinityBits);
    const __m512i key = _mm512_add_epi64(bits, two);
    const __mmask8 aboveLo = _mm512_mask_cmpgt_epu64_mask(isNumber, key, loKey);
    const auto tied = static_cast<__mmask8>(_mm512_mask_cmpeq_epu64_mask(isNumber, key, loKey) |
                                            (nanTies & static_cast<__mmask8>(~isNumber)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out.indices + counts.aboveLo),
                        _mm256_maskz_compress_epi32(aboveLo, index));
    if (out.keys != nullptr) {
      _mm512_storeu_si512(out.keys + counts.aboveLo, _mm512_maskz_compress_epi64(aboveLo, key));
    }
    counts.aboveLo += static_cast<std::size_t>(std::popcount(aboveLo));
    // Compression is the loop's bottleneck; ties are rare unless many keys equal lo.
    if (tied != 0) {
      _mm256_storeu_si256(
          reinterpret_cast<__m256i*>(out.tiedIndices + std::min(counts.tied, out.k)),
          _mm256_maskz_compress_epi32(tied, index));
      counts.tied += static_cast<std::size_t>(std::popcount(tied));
    }
  }
  for (; j < end; ++j) {
    collectOne(keyOf(values[j]), static_cast<std::uint32_t>(j), lo, counts, out);
  }
  return counts;
}

// The same on sixteen float lanes. A float's key is its shifted bits plus 2, so lanes compare the
// 32-bit bits with lo - 2; keys are widened to 64 bits only when the pass stores them.
Collected collectRange(const float* values, std::size_t begin, std::size_t end, std::uint64_t lo,
                       Collected counts, CollectBuffers out) {
  // lo is NaN's key (every number above it, NaNs tied) or a number's key, bits + 2.
  const bool nanLo = lo == kNanKey;
  const __m512i loBits = _mm512_set1_epi32(static_cast<int>(nanLo ? 0U : lo - 2));
  const __m512i infinityBits = _mm512_set1_epi32(static_cast<int>(kInfinityBits<float>));
  const __m512i two = _mm512_set1_epi64(2);
  const __m512i sixteen = _mm512_set1_epi32(16);
  __m512i index =
      _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(begin)),
                       _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  std::size_t j = begin;
  for (; j + 16 <= end; j += 16, index = _mm512_add_epi32(index, sixteen)) {
    const __m512i bits = _mm512_slli_epi32(_mm512_castps_si512(_mm512_loadu_ps(values + j)), 1);
    const __mmask16 isNumber = _mm512_cmple_epu32_mask(bits, infinityBits);
    const __mmask16 aboveLo =
        nanLo ? isNumber : _mm512_mask_cmpgt_epu32_mask(isNumber, bits, loBits);
    const __mmask16 tied = nanLo ? static_cast<__mmask16>(~isNumber)
                                 : _mm512_mask_cmpeq_epu32_mask(isNumber, bits, loBits);
    _mm512_storeu_si512(out.indices + counts.aboveLo, _mm512_maskz_compress_epi32(aboveLo, index));
    if (out.keys != nullptr) {
      const auto lowLanes = static_cast<__mmask8>(aboveLo & 0xFFU);
      const auto highLanes = static_cast<__mmask8>(aboveLo >> 8U);
      const __m512i lowKeys =
          _mm512_add_epi64(_mm512_cvtepu32_epi64(_mm512_castsi512_si256(bits)), two);
      const __m512i highKeys =
          _mm512_add_epi64(_mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(bits, 1)), two);
      _mm512_storeu_si512(out.keys + counts.aboveLo,
                          _mm512_maskz_compress_epi64(lowLanes, lowKeys));
      _mm512_storeu_si512(out.keys + counts.aboveLo + std::popcount(lowLanes),
                          _mm512_maskz_compress_epi64(highLanes, highKeys));
    }
    counts.aboveLo += static_cast<std::size_t>(std::popcount(aboveLo));
    if (tied != 0) {
      _mm512_storeu_si512(out.tiedIndices + std::min(counts.tied, out.k),
                          _mm512_maskz_compress_epi32(tied, index));
      counts.tied += static_cast<std::size_t>(std::popcount(tied));
    }
  }
  for (; j < end; ++j) {
    collectOne(keyOf(values[j]), static_cast<std::uint32_t>(j), lo, counts, out);
  }
  return counts;
}
#endif

// Without AVX-512: the overloads above win where they exist.
template <typename Scalar>
Collected collectRange(const Scalar* values, std::size_t begin, std::size_t end, std::uint64_t lo,
                       Collected counts, CollectBuffers out) {
  for (std::size_t j = begin; j < end; ++j) {
    collectOne(keyOf(values[j]), static_cast<std::uint32_t>(j), lo, counts, out);
  }
  return counts;
}

// `buffer` with at least `size` slots; grows only, so that a steady state neither allocates nor
// refills it.
template <class T>
T* slots(std::vector<T>& buffer, std::size_t size) {
  if (buffer.size() < size) {
    buffer.resize(size);
  }
  return buffer.data();
}

// Selects through a lower bound taken from `samples` keys. False when the sample misled: lo
// exceeds the k-th largest key, or more keys exceed it than their buffers hold (never when
// samples == d: lo is then that key).
template <class Source>
bool topKAboveBound(const Source& source, std::size_t d, std::size_t k, std::size_t samples,
                    std::vector<std::uint32_t>& indices, SelectionScratch& scratch) {
  const LowerBound bound = sampleLowerBound(source, d, k, samples, scratch);
  const std::size_t capacity = std::min(d, 2 * bound.expectedAbove);
  // Storing a candidate's key in the pass costs about as much as reading it again later from a
  // cache line of its own; dense candidates share lines, so then the pass stores them.
  const bool storeKeys = bound.expectedAbove * kKeyStoreSpacing >= d;
  auto& keys = scratch.candidateKeys;
  const CollectBuffers out{slots(scratch.candidateIndices, capacity + kBlock),
                           storeKeys ? slots(keys, capacity + kBlock) : nullptr,
                           slots(scratch.tiedIndices, k + kTiedSlack), k};
  Collected counts;
  for (std::size_t begin = 0; begin < d; begin += kBlock) {
    const std::size_t end = std::min(begin + kBlock, d);
    source.prepare(begin, end);
    if (counts.aboveLo <= capacity) {
      counts = collectRange(source.data(), begin, end, bound.lo, counts, out);
    }
  }
  if (counts.aboveLo > capacity || counts.aboveLo + counts.tied < k) {
    return false;
  }
  const std::span<const std::uint32_t> candidates(out.indices, counts.aboveLo);
  if (counts.aboveLo < k) {
    // The k-th largest key is lo: all above it, and the lowest-index ties.
    indices.resize(k);
    std::merge(candidates.begin(), candidates.end(), out.tiedIndices,
               out.tiedIndices + (k - counts.aboveLo), indices.begin());
    return true;
  }
  // The k-th largest key t is above lo: every key above t, and the lowest-index ties at t.
  if (!storeKeys) {
    keys.resize(candidates.size());
    const auto* values = source.data();
    std::transform(candidates.begin(), candidates.end(), keys.begin(),
                   [values](std::uint32_t j) { return keyOf(values[j]); });
  }
  const std::uint64_t t = keyAtRank({keys.data(), candidates.size()}, k - 1, scratch.rankBucket);
  const auto last = keys.begin() + static_cast<std::ptrdiff_t>(candidates.size());
  std::size_t ties = k - static_cast<std::size_t>(std::count_if(
                             keys.begin(), last, [t](std::uint64_t key) { return key > t; }));
  // Branch-free, as the candidates pass or fail t unpredictably; the slot past k takes the
  // stores of failed candidates once k are taken.
  indices.resize(k + 1);
  std::size_t taken = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const bool tie = keys[i] == t && ties > 0;
    indices[taken] = candidates[i];
    taken += keys[i] > t || tie ? 1 : 0;
    ties -= tie ? 1 : 0;
  }
  indices.resize(k);
  return true;
}

template <class Source>
void topK(const Source& source, std::size_t d, std::size_t k, std::vector<std::uint32_t>& indices,
          SelectionScratch& scratch) {
  if (k == 0) {
    source.prepare(0, d);
    indices.clear();
  } else if (heapWins(d, k)) {
    topKByHeap(source, d, k, indices, scratch.heap);
  } else if (!topKAboveBound(source, d, k, sampleSize(d), indices, scratch)) {
    // The failed pass prepared all of v: the exact retry reads it as it is.
    topKAboveBound(InPlace<typename Source::Scalar>(source.data()), d, k, d, indices, scratch);
  }
}

template <typename Scalar>
void checkSizes(const ConstVectorRefOf<Scalar>& v, const ConstVectorRefOf<Scalar>& x,
                const char* function) {
  if (x.size() != v.size()) {
    throw std::invalid_argument(std::string(function) + ": v and x differ in size");
  }
}

void checkK(std::size_t k, Eigen::Index d, const char* function) {
  if (k > static_cast<std::size_t>(d)) {
    throw std::invalid_argument(std::string(function) + ": k exceeds the dimension");
  }
}

}  // namespace

template <typename Scalar>
void selectTopK(const ConstVectorRefOf<Scalar>& v, std::size_t k,
                std::vector<std::uint32_t>& indices, SelectionScratch& scratch) {
  checkK(k, v.size(), "selectTopK");
  topK(InPlace<Scalar>(v.data()), static_cast<std::size_t>(v.size()), k, indices, scratch);
}

template <typename Scalar>
void addScaledAndSelectTopK(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x, double scale,
                            std::size_t k, std::vector<std::uint32_t>& indices,
                            SelectionScratch& scratch) {
  checkSizes<Scalar>(v, x, "addScaledAndSelectTopK");
  checkK(k, v.size(), "addScaledAndSelectTopK");
  topK(AddScaled<Scalar>(v.data(), x.data(), scale), static_cast<std::size_t>(v.size()), k, indices,
       scratch);
}

template <typename Scalar>
void addScaled(VectorRefOf<Scalar> v, const ConstVectorRefOf<Scalar>& x, double scale) {
  checkSizes<Scalar>(v, x, "addScaled");
  AddScaled<Scalar>(v.data(), x.data(), scale).prepare(0, static_cast<std::size_t>(v.size()));
}

void selectRandomK(std::uint64_t dim, std::size_t k, Rng& rng, std::vector<std::uint32_t>& indices,
                   SelectionScratch& scratch) {
  if (k > dim) {
    throw std::invalid_argument("selectRandomK: k exceeds the dimension");
  }
  auto& bits = scratch.chosenBits;
  bits.resize((dim + 63) / 64);
  indices.clear();
  // Floyd: for j in [d-k, d), draw t in [0, j]; take t unless already taken, then take j.
  for (std::uint64_t j = dim - k; j < dim; ++j) {
    std::uint64_t pick = rng.below(j + 1);
    if ((bits[pick / 64] >> (pick % 64) & 1U) != 0) {
      pick = j;
    }
    bits[pick / 64] |= std::uint64_t{1} << (pick % 64);
    indices.push_back(static_cast<std::uint32_t>(pick));
  }
  for (const std::uint32_t index : indices) {
    bits[index / 64] = 0;  // leave the bitmap clear for the next call in O(k)
  }
  std::sort(indices.begin(), indices.end());
}

template <typename Scalar>
void gatherValues(const ConstVectorRefOf<Scalar>& v, SparseMessage& out) {
  out.values.resize(out.indices.size());
  for (std::size_t i = 0; i < out.indices.size(); ++i) {
    out.values[i] = v[out.indices[i]];
  }
  out.dim = static_cast<std::uint64_t>(v.size());
}

#define MEMSGD_INSTANTIATE_SELECTION(Scalar)                                                     \
  template void selectTopK<Scalar>(const ConstVectorRefOf<Scalar>&, std::size_t,                 \
                                   std::vector<std::uint32_t>&, SelectionScratch&);              \
  template void addScaledAndSelectTopK<Scalar>(                                                  \
      VectorRefOf<Scalar>, const ConstVectorRefOf<Scalar>&, double, std::size_t,                 \
      std::vector<std::uint32_t>&, SelectionScratch&);                                           \
  template void addScaled<Scalar>(VectorRefOf<Scalar>, const ConstVectorRefOf<Scalar>&, double); \
  template void gatherValues<Scalar>(const ConstVectorRefOf<Scalar>&, SparseMessage&);
MEMSGD_INSTANTIATE_SELECTION(float)
MEMSGD_INSTANTIATE_SELECTION(double)
#undef MEMSGD_INSTANTIATE_SELECTION

}  // namespace memsgd
